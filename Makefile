.PHONY: run generate test lint bench sample docker

# Serve on the embedded database with the Our Museum data (http://localhost:8080/).
run:
	go run .

# Regenerate the GraphQL executor and models from schema/*.graphqls.
generate:
	go generate ./...

test:
	go test ./...

lint:
	test -z "$$(gofmt -l $$(git ls-files '*.go'))"
	go vet ./...
	.ci/staticcheck

# Benchmarks of the nested page and the store (see bench/README.md).
bench:
	go test -run '^$$' -bench . -benchmem ./bench/

# Load 10,000 fictional decision events into the embedded database.
sample:
	go run . seed --sample --scale 10000

# Build the container image (see Dockerfile; docker-compose.yml runs it on a replica set).
docker:
	docker build -t participation-graph .
