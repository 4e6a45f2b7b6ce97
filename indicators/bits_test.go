package indicators_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/indicators"
)

var updateBits = flag.Bool("update-bits", false, "rewrite testdata/stream_bits.golden")

const bitsGolden = "testdata/stream_bits.golden"

// TestStreamBits pins every streaming indicator's output bit for bit: for
// each Def and a spread of parameter variants (defaults, each MA type,
// shortest and doubled periods, another source, unstable periods), it feeds
// every committed golden series and hashes the bits of every Value, Ready
// and Peek result. The golden tests accept 1e-9 of TA-Lib C; this one
// accepts no change at all, so that performance work (reordered state,
// specialised paths) can prove it changed no rounding. A deliberate change
// of results regenerates the file: go test -run TestStreamBits -update-bits.
func TestStreamBits(t *testing.T) {
	g := loadGolden(t)
	var series [][]indicators.Input
	for _, s := range g.series {
		series = append(series, s.bars())
	}
	got := map[string]string{}
	var order []string
	for _, d := range newRegistry(t, indicators.Settings{}).Defs() {
		for _, v := range bitVariants(d) {
			ind, err := d.New(v.params, v.src, v.set)
			if err != nil {
				continue // a variant outside the Def's domain (MAMA where refused)
			}
			key := v.tag + " " + ind.Name()
			if _, dup := got[key]; dup {
				continue
			}
			got[key] = hashRun(ind, series)
			order = append(order, key)
		}
	}
	if *updateBits {
		var b strings.Builder
		b.WriteString("# sha256 of every Update/Peek output bit over the golden series; see TestStreamBits\n")
		for _, k := range order {
			fmt.Fprintf(&b, "%s %s\n", k, got[k])
		}
		if err := os.WriteFile(bitsGolden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := readBitsGolden(t)
	for _, k := range order {
		w, ok := want[k]
		switch {
		case !ok:
			t.Errorf("%s: not in %s (run with -update-bits)", k, bitsGolden)
		case w != got[k]:
			t.Errorf("%s: output bits changed", k)
		}
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("%s: in %s but no longer built", k, bitsGolden)
		}
	}
}

type bitVariant struct {
	tag    string
	params []float64
	src    indicators.Source
	set    indicators.Settings
}

// bitVariants lists the parameter sets TestStreamBits runs for d.
func bitVariants(d indicators.Def) []bitVariant {
	base := defaultParams(d)
	clone := func() []float64 { return append([]float64(nil), base...) }
	out := []bitVariant{{tag: "default", params: base}}
	for t := indicators.MASMA; t <= indicators.MAT3; t++ {
		p, any := clone(), false
		for i, pd := range d.Params {
			if pd.Kind == indicators.ParamMAType {
				p[i], any = float64(t), true
			}
		}
		if any {
			out = append(out, bitVariant{tag: "ma" + t.String(), params: p})
		}
	}
	short, long, anyInt := clone(), clone(), false
	for i, pd := range d.Params {
		if pd.Kind == indicators.ParamInt && pd.Max <= 100000 {
			short[i], long[i], anyInt = pd.Min, math.Min(2*pd.Default, pd.Max), true
		}
	}
	if anyInt {
		out = append(out, bitVariant{tag: "short", params: short}, bitVariant{tag: "long", params: long})
	}
	if d.HasSource {
		out = append(out, bitVariant{tag: "hl2", params: base, src: indicators.SourceHL2},
			bitVariant{tag: "volume", params: base, src: indicators.SourceVolume})
	}
	unst := map[string]int{}
	for _, fn := range []string{"EMA", "RSI", "CMO", "ATR", "NATR", "ADX", "DX", "PLUS_DI", "MINUS_DI",
		"PLUS_DM", "MINUS_DM", "KAMA", "MAMA", "T3", "MFI"} {
		unst[fn] = 7
	}
	out = append(out, bitVariant{tag: "unstable", params: base, set: indicators.Settings{Unstable: unst}})
	return out
}

// hashRun feeds every series to ind (Reset between them), Peeking each
// input before it is consumed, and hashes all results' bits.
func hashRun(ind indicators.Indicator, series [][]indicators.Input) string {
	h := sha256.New()
	n := len(ind.Outputs())
	peek := make([]float64, n)
	var b [8]byte
	put := func(v float64) {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
		h.Write(b[:])
	}
	flag := func(ok bool) {
		if ok {
			h.Write([]byte{1})
		} else {
			h.Write([]byte{0})
		}
	}
	for _, bars := range series {
		ind.Reset()
		for _, in := range bars {
			flag(ind.Peek(in, peek))
			for _, v := range peek {
				put(v)
			}
			ind.Update(in)
			flag(ind.Ready())
			for i := 0; i < n; i++ {
				put(ind.Value(i))
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func readBitsGolden(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.FromSlash(bitsGolden))
	if err != nil {
		t.Fatalf("%v (run with -update-bits to create it)", err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			t.Fatalf("%s: bad line %q", bitsGolden, line)
		}
		want[line[:i]] = line[i+1:]
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return want
}
