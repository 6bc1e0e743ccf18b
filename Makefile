.PHONY: run test setup build bench bench-identities bench-takeover

# Installs what is missing, then runs everything locally with the sandbox bridge (Api on http://localhost:8080).
run: setup
	@scripts/env.sh
	@scripts/run.sh

# Runs the unit tests (rules that need no running system, in seconds), then the end-to-end suite: the real AppHost
# starts PostgreSQL, Redis, Synapse, the Api and the SyncWorker per test collection. One results file per project.
test: setup
	dotnet test Gateway.UnitTests --logger "console;verbosity=normal" --logger "trx;LogFileName=unit.trx" --results-directory TestResults
	dotnet test Gateway.Tests --logger "console;verbosity=normal" --logger "trx;LogFileName=results.trx" --results-directory TestResults

setup:
	@scripts/setup.sh

build:
	dotnet build Gateway.sln

# Send benchmark: messages through the gateway vs straight to the homeserver, in one run.
bench: setup
	dotnet run -c Release --project bench/Gateway.Bench

# Identities per SyncWorker: 100 and 1 000 idle identities on one replica, 1 000 on two (RSS, idle CPU, busy p99). Not in CI.
bench-identities: setup
	dotnet run -c Release --project bench/Gateway.Bench -- identities

# kill -9 of one of two SyncWorker replicas mid-flow: takeover time, messages lost and doubled. Not in CI.
bench-takeover: setup
	dotnet run -c Release --project bench/Gateway.Bench -- takeover
