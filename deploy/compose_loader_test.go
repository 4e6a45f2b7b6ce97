// The compose file is loaded with compose-go, what `docker compose` itself
// uses: it interpolates, normalises and validates the file against the
// Compose schema, so a file that passes here is one docker compose accepts.

package deploy_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

func TestComposeFile(t *testing.T) {
	opts, err := cli.NewProjectOptions([]string{"docker-compose.yaml"},
		cli.WithWorkingDirectory("."),
		// The checked-in file must not depend on the environment it is
		// loaded in.
		cli.WithEnv(nil),
		cli.WithConsistency(true),
	)
	if err != nil {
		t.Fatal(err)
	}
	p, err := cli.ProjectFromOptions(context.Background(), opts)
	if err != nil {
		t.Fatalf("compose-go rejects docker-compose.yaml: %v", err)
	}
	checkProject(t, fromCompose(p))
}

func fromCompose(p *types.Project) project {
	out := project{Name: p.Name, Services: map[string]service{}}
	for name, s := range p.Services {
		env := map[string]string{}
		for k, v := range s.Environment {
			if v != nil {
				env[k] = *v
			}
		}
		deps := map[string]string{}
		for d, c := range s.DependsOn {
			deps[d] = c.Condition
		}
		var hc []string
		if s.HealthCheck != nil {
			hc = s.HealthCheck.Test
		}
		var vols []string
		for _, v := range s.Volumes {
			src := v.Source
			if v.Type == types.VolumeTypeBind {
				// compose-go resolves bind sources to absolute paths;
				// the check wants them as written, relative to deploy/.
				src = "./" + relBase(v.Source)
			}
			vols = append(vols, src+":"+v.Target)
		}
		var ports []string
		for _, pc := range s.Ports {
			ports = append(ports, fmt.Sprintf("%s:%d", pc.Published, pc.Target))
		}
		out.Services[name] = service{
			Image: s.Image, Build: s.Build != nil, Command: s.Command, Environment: env,
			DependsOn: deps, Healthcheck: hc, Replicas: s.GetScale(),
			Volumes: vols, Ports: ports, Restart: s.Restart,
		}
		if s.Deploy == nil || s.Deploy.Replicas == nil {
			sv := out.Services[name]
			sv.Replicas = 0
			out.Services[name] = sv
		}
	}
	for v := range p.Volumes {
		out.Volumes = append(out.Volumes, v)
	}
	slices.Sort(out.Volumes)
	return out
}

// relBase is the last element of an absolute bind source.
func relBase(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}
