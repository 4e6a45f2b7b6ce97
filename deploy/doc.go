// Package deploy holds Candlewick's deployment artefacts, not code: the
// Dockerfile (a static, non-root image of the candlewick binary),
// docker-compose.yaml (Apache Kafka in KRaft mode, a one-shot topic
// bootstrap, and engine instances in one consumer group) and example run
// configurations (run.example.yaml, run.compose.yaml).
//
// The Go package exists only so that `go test ./...` checks those files:
// the compose file is loaded and validated with
// github.com/compose-spec/compose-go/v2 (what docker compose uses), and the
// services, KRaft settings, health check, engine command and topic bootstrap
// that the documentation describes are checked on the loaded project; the
// Dockerfile's Go version must be go.mod's.
package deploy
