package htmlreport_test

import (
	"io"
	"testing"

	"github.com/candlewick-labs/candlewick/backtest/htmlreport"
)

// BenchmarkWrite measures a whole report: charts, downsampling and template.
// bars/s is per symbol-bar plus equity point, the input the report scales with.
func BenchmarkWrite(b *testing.B) {
	cases := []struct {
		name string
		data func(testing.TB) htmlreport.Data
	}{
		{"sample-90d", func(testing.TB) htmlreport.Data { return sampleData() }},
		{"real-4309h", realData},
		{"long-65k", func(testing.TB) htmlreport.Data { return longData(65_000) }},
	}
	for _, c := range cases {
		d := c.data(b)
		bars := len(d.Equity)
		for _, p := range d.Prices {
			bars += len(p.Bars)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				cw := &countWriter{}
				if err := htmlreport.Write(cw, d); err != nil {
					b.Fatal(err)
				}
				size = cw.n
			}
			b.ReportMetric(float64(size), "bytes/report")
			b.ReportMetric(float64(bars)*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
		})
	}
}

type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)
