.PHONY: run test deploy-check setup build bench bench-identities bench-takeover

# Installs what is missing, then runs everything locally with the sandbox bridge (Api on http://localhost:8080).
run: setup
	@scripts/env.sh
	@scripts/run.sh

# Runs the unit tests (rules that need no running system, in seconds), the deployment check, then the end-to-end
# suite: the real AppHost starts PostgreSQL, Redis, Synapse, the Api and the SyncWorker per test collection. One results
# file per step.
test: setup
	dotnet test Gateway.UnitTests --logger "console;verbosity=normal" --logger "trx;LogFileName=unit.trx" --results-directory TestResults
	$(MAKE) --no-print-directory deploy-check
	dotnet test Gateway.Tests --filter "FullyQualifiedName!~Gateway.Tests.Deployment" --logger "console;verbosity=normal" --logger "trx;LogFileName=results.trx" --results-directory TestResults

# What `azd up` would deploy, checked offline (no Docker, azd or Azure login): the AppHost's manifest, every setting as
# azd renders it, infra/ built and linted by the Bicep compiler, the templates against the manifest, the generated
# Synapse and bridge files (Gateway.Tests/Deployment).
deploy-check: setup
	dotnet test Gateway.Tests --filter "FullyQualifiedName~Gateway.Tests.Deployment" --logger "console;verbosity=normal" --logger "trx;LogFileName=deploy.trx" --results-directory TestResults

setup:
	@scripts/setup.sh

build:
	dotnet build Gateway.sln

# Send benchmark: messages through the gateway vs straight to the homeserver, in one run.
bench: setup
	dotnet run -c Release --project bench/Gateway.Bench

# Identities per SyncWorker: 100 and 1 000 idle identities on one replica, 2 000 on two (RSS, idle CPU, busy p99, and
# Synapse's RSS, CPU and /sync rate), warm, medians of three rounds with their spread. Not in CI.
bench-identities: setup
	dotnet run -c Release --project bench/Gateway.Bench -- identities

# kill -9 of one of two SyncWorker replicas mid-flow: takeover time, messages lost and doubled. Not in CI.
bench-takeover: setup
	dotnet run -c Release --project bench/Gateway.Bench -- takeover
