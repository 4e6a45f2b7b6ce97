package indicators

// RSI is Wilder's relative strength index, TA-Lib TA_RSI in its default
// compatibility mode: the average gain and loss of the first period one-bar
// changes seed Wilder's smoothing (avg = (avg*(period-1) + x)/period, in
// TA-Lib's order), and the value is 100*gain/(gain+loss), 0 when the sum is
// within 1e-14 of 0. Lookback is period plus Settings' "RSI" unstable period.
//
// TA-Lib's Metastock compatibility branch (an extra first value from a
// zero first change, lookback period-1) is only taken when the unstable period
// is 0 and the global compatibility is Metastock; Settings has no
// compatibility mode, so the default branch is the only one here.
//
// CMO (TA-Lib TA_CMO) is the same machine with 100*(gain-loss)/(gain+loss)
// and the "CMO" unstable period.
//
// An RSI is not safe for concurrent use.
type RSI struct {
	scalar
	period     int
	cmo        bool
	prev       float64 // previous input
	hasPrev    bool
	cnt        int // changes folded into the seed, up to period
	gain, loss float64
}

var _ stage = (*RSI)(nil)

// NewRSI returns an RSI over period (2..100000) values of src.
func NewRSI(period int, src Source, set Settings) (*RSI, error) {
	if err := checkPeriod("rsi", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	r := &RSI{period: period}
	r.init(specName("rsi", src, float64(period)), src, period+unstableA(set, "RSI"))
	return r, nil
}

// NewCMO returns Chande's momentum oscillator over period (2..100000) values
// of src.
func NewCMO(period int, src Source, set Settings) (*RSI, error) {
	if err := checkPeriod("cmo", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	r := &RSI{period: period, cmo: true}
	r.init(specName("cmo", src, float64(period)), src, period+unstableA(set, "CMO"))
	return r, nil
}

// step returns the averages after v and whether they are seeded; it is
// TA-Lib's loop body and reads but does not change state.
func (r *RSI) step(v float64) (gain, loss float64, cnt int) {
	gain, loss, cnt = r.gain, r.loss, r.cnt
	d := v - r.prev
	p := float64(r.period)
	dn, up := selB(d < 0, d, 0), selB(d < 0, negZero, d) // see Update
	if cnt < r.period {
		loss -= dn
		gain += up
		cnt++
		if cnt == r.period {
			loss /= p
			gain /= p
		}
		return
	}
	loss *= float64(r.period - 1)
	gain *= float64(r.period - 1)
	loss -= dn
	gain += up
	loss /= p
	gain /= p
	return
}

func (r *RSI) out(gain, loss float64) float64 {
	t := gain + loss
	if isZeroA(t) {
		return 0.0
	}
	if r.cmo {
		return 100.0 * ((gain - loss) / t)
	}
	return 100.0 * (gain / t)
}

// Next consumes v and returns the RSI, or NaN during the lookback.
func (r *RSI) Next(v float64) float64 {
	if !r.hasPrev {
		r.prev, r.hasPrev = v, true
		return r.emit(nan)
	}
	r.gain, r.loss, r.cnt = r.step(v)
	r.prev = v
	if r.cnt < r.period {
		return r.emit(nan)
	}
	return r.emit(r.out(r.gain, r.loss))
}

// PeekNext returns what Next(v) would return, without changing state.
func (r *RSI) PeekNext(v float64) float64 {
	if !r.peekReady() {
		return nan
	}
	g, l, _ := r.step(v)
	return r.out(g, l)
}

// Update implements Indicator.
//
// The steady state (seeded) is written out here rather than called through
// Next and step: two calls fewer per bar, the same operations as step.
func (r *RSI) Update(in Input) {
	v := readA(r.src, &in)
	if r.cnt < r.period {
		r.Next(v)
		return
	}
	d := v - r.prev
	// TA-Lib's "if d < 0 loss -= d else gain += d" with the choice made on
	// d, off the loop-carried chains: the side that does not move
	// subtracts +0 (loss, never -0, is unchanged by it) or adds -0 (x + -0
	// is x for every x). A select on the sums themselves added its latency
	// to every bar.
	dn, up := selB(d < 0, d, 0), selB(d < 0, negZero, d)
	pm1, p := float64(r.period-1), float64(r.period)
	loss := r.loss*pm1 - dn
	gain := r.gain*pm1 + up
	loss /= p
	gain /= p
	r.loss, r.gain, r.prev = loss, gain, v
	r.emit(r.out(gain, loss))
}

// Peek implements Indicator.
func (r *RSI) Peek(in Input, out []float64) bool {
	out[0] = r.PeekNext(readA(r.src, &in))
	return r.peekReady()
}

// Reset implements Indicator.
func (r *RSI) Reset() {
	r.resetScalar()
	r.prev, r.hasPrev, r.cnt, r.gain, r.loss = 0, false, 0, 0, 0
}

// MarshalBinary implements Indicator.
func (r *RSI) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(r.name)
	r.encodeScalar(e)
	e.f64(r.prev)
	e.bool(r.hasPrev)
	e.int(r.cnt)
	e.f64(r.gain)
	e.f64(r.loss)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (r *RSI) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, r.name)
	r.decodeScalar(d)
	r.prev = d.f64()
	r.hasPrev = d.bool()
	r.cnt = d.int()
	r.gain = d.f64()
	r.loss = d.f64()
	if r.cnt < 0 || r.cnt > r.period {
		d.fail("rsi seed count out of range")
	}
	return d.finish()
}
