.PHONY: run test setup build bench

# Installs what is missing, then runs everything locally with the sandbox bridge (Api on http://localhost:8080).
run: setup
	@scripts/env.sh
	@scripts/run.sh

# Runs the test suite: the real AppHost starts PostgreSQL, Redis, Synapse, the Api and the SyncWorker per test collection.
test: setup
	dotnet test Gateway.sln --logger "console;verbosity=normal" --logger "trx;LogFileName=results.trx" --results-directory TestResults

setup:
	@scripts/setup.sh

build:
	dotnet build Gateway.sln

# Send benchmark: messages through the gateway vs straight to the homeserver, in one run.
bench: setup
	dotnet run -c Release --project bench/Gateway.Bench
