package deploy_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// service is what the checks need of a compose service, however it was
// loaded.
type service struct {
	Image       string
	Build       bool
	Command     []string
	Environment map[string]string
	DependsOn   map[string]string // service -> condition
	Healthcheck []string
	Replicas    int      // 0 when not set
	Volumes     []string // "source:target"
	Ports       []string // "published:target"
	Restart     string
}

// project is the loaded compose file.
type project struct {
	Name     string
	Services map[string]service
	Volumes  []string
}

// checkProject verifies what docker-compose.yaml's header comment and the
// README promise. Every mismatch is reported, not only the first.
func checkProject(t *testing.T, p project) {
	t.Helper()
	if p.Name != "candlewick" {
		t.Errorf("project name %q, want candlewick", p.Name)
	}
	var names []string
	for n := range p.Services {
		names = append(names, n)
	}
	slices.Sort(names)
	if want := []string{"engine", "kafka", "topics"}; !slices.Equal(names, want) {
		t.Errorf("services %v, want %v", names, want)
	}

	k := p.Services["kafka"]
	if !regexp.MustCompile(`^apache/kafka:(3\.9\.\d+|4\.\d+\.\d+)$`).MatchString(k.Image) {
		t.Errorf("kafka image %q, want apache/kafka:3.9.x or 4.x", k.Image)
	}
	// KRaft: combined roles, a controller quorum, a controller listener, a
	// cluster id for formatting the storage, and no ZooKeeper.
	for key, want := range map[string]string{
		"KAFKA_PROCESS_ROLES":                    "broker,controller",
		"KAFKA_NODE_ID":                          "1",
		"KAFKA_CONTROLLER_QUORUM_VOTERS":         "1@kafka:9093",
		"KAFKA_CONTROLLER_LISTENER_NAMES":        "CONTROLLER",
		"KAFKA_INTER_BROKER_LISTENER_NAME":       "PLAINTEXT",
		"KAFKA_AUTO_CREATE_TOPICS_ENABLE":        "false",
		"KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
		"KAFKA_LOG_DIRS":                         "/var/lib/kafka/data",
	} {
		if got := k.Environment[key]; got != want {
			t.Errorf("kafka %s = %q, want %q", key, got, want)
		}
	}
	if k.Environment["CLUSTER_ID"] == "" {
		t.Error("kafka has no CLUSTER_ID: KRaft storage cannot be formatted")
	}
	for key := range k.Environment {
		if strings.Contains(key, "ZOOKEEPER") {
			t.Errorf("kafka sets %s: KRaft mode has no ZooKeeper", key)
		}
	}
	for _, l := range []string{"PLAINTEXT://kafka:9092", "EXTERNAL://localhost:9094"} {
		if !strings.Contains(k.Environment["KAFKA_ADVERTISED_LISTENERS"], l) {
			t.Errorf("kafka advertised listeners %q lack %s", k.Environment["KAFKA_ADVERTISED_LISTENERS"], l)
		}
	}
	if !slices.Contains(k.Ports, "9094:9094") {
		t.Errorf("kafka ports %v, want 9094:9094 for clients on the host", k.Ports)
	}
	if hc := strings.Join(k.Healthcheck, " "); !strings.Contains(hc, "kafka-broker-api-versions.sh") ||
		!strings.Contains(hc, "localhost:9092") {
		t.Errorf("kafka healthcheck %q, want kafka-broker-api-versions.sh against localhost:9092", hc)
	}
	if !slices.Contains(k.Volumes, "kafka-data:/var/lib/kafka/data") {
		t.Errorf("kafka volumes %v, want kafka-data:/var/lib/kafka/data", k.Volumes)
	}
	if !slices.Contains(p.Volumes, "kafka-data") {
		t.Errorf("volumes %v, want kafka-data declared", p.Volumes)
	}

	tp := p.Services["topics"]
	if !tp.Build || tp.Image != "candlewick:latest" {
		t.Errorf("topics builds %v image %q, want it to build candlewick:latest", tp.Build, tp.Image)
	}
	if got := strings.Join(tp.Command, " "); !strings.HasPrefix(got, "topics create --brokers kafka:9092") ||
		!strings.Contains(got, "--partitions 6") {
		t.Errorf("topics command %q, want topics create --brokers kafka:9092 ... --partitions 6", got)
	}
	if got := tp.DependsOn["kafka"]; got != "service_healthy" {
		t.Errorf("topics depends on kafka with %q, want service_healthy", got)
	}
	if tp.Restart != "no" {
		t.Errorf("topics restart %q, want no: it is a one-shot job", tp.Restart)
	}

	e := p.Services["engine"]
	if e.Image != "candlewick:latest" {
		t.Errorf("engine image %q, want candlewick:latest", e.Image)
	}
	if got := strings.Join(e.Command, " "); !strings.HasPrefix(got, "run --brokers kafka:9092") {
		t.Errorf("engine command %q, want run --brokers kafka:9092 ...", got)
	}
	if e.DependsOn["kafka"] != "service_healthy" || e.DependsOn["topics"] != "service_completed_successfully" {
		t.Errorf("engine depends on %v, want kafka healthy and topics completed successfully", e.DependsOn)
	}
	if e.Replicas < 2 {
		t.Errorf("engine replicas %d, want a consumer group of several", e.Replicas)
	}
	// The config the engine mounts must exist beside the compose file.
	for _, v := range e.Volumes {
		src, _, _ := strings.Cut(v, ":")
		if strings.HasPrefix(src, "./") || filepath.IsAbs(src) {
			path := src
			if !filepath.IsAbs(src) {
				path = filepath.Join(".", src)
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("engine mounts %s: %v", src, err)
			}
		}
	}
}

// goVersion returns the `go` line of go.mod, e.g. "1.26.0".
func goVersion(t *testing.T) string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "go "); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatal("go.mod has no go line")
	return ""
}

func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(data)
	m := regexp.MustCompile(`(?m)^FROM golang:(\d+\.\d+)(\.\d+)?\S* AS build$`).FindStringSubmatch(df)
	if m == nil {
		t.Fatal("Dockerfile has no `FROM golang:X.Y AS build` stage")
	}
	// go.mod's "1.26.0" needs a 1.26 toolchain: the image's minor version
	// must be the same (a patch, if given, at least go.mod's).
	mod := goVersion(t)
	if !strings.HasPrefix(mod+".", m[1]+".") {
		t.Errorf("Dockerfile builds with Go %s%s, go.mod says go %s", m[1], m[2], mod)
	}
	for _, want := range []string{
		"CGO_ENABLED=0", "-trimpath", "./cmd/candlewick",
		`ENTRYPOINT ["/usr/local/bin/candlewick"]`,
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %s", want)
		}
	}
	// The last stage runs as a non-root user.
	stages := strings.Split(df, "\nFROM ")
	last := stages[len(stages)-1]
	u := regexp.MustCompile(`(?m)^USER (\S+)`).FindStringSubmatch(last)
	if u == nil || u[1] == "root" || strings.HasPrefix(u[1], "0:") || u[1] == "0" {
		t.Errorf("runtime stage user %v, want a non-root USER", u)
	}
	if !strings.Contains(last, "distroless") && !strings.Contains(last, "slim") {
		t.Errorf("runtime stage %q is neither distroless nor slim", strings.SplitN(last, "\n", 2)[0])
	}
}

func TestRunConfigs(t *testing.T) {
	// The compose engine mounts run.compose.yaml; both configs must name
	// only keys the run command knows (checked strictly by cmd/candlewick's
	// tests) and stay plain YAML here.
	for _, name := range []string{"run.example.yaml", "run.compose.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := yaml.Unmarshal(data, &v); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if _, ok := v["strategies"]; !ok {
			t.Errorf("%s: no strategies", name)
		}
	}
}
