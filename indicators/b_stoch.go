package indicators

var (
	outputsStoch  = []string{"slowk", "slowd"}
	outputsStochF = []string{"fastk", "fastd"}
)

// Stoch is George Lane's stochastic oscillator, TA-Lib TA_STOCH (outputs
// "slowk", "slowd") or TA_STOCHF ("fastk", "fastd").
//
// Fast %K over the last fastk_period bars is (close - lowest low) / diff with
// diff = (highest high - lowest low) / 100, 0 when diff is 0: TA-Lib's
// operations. STOCH smooths it with the slowk MA into slow %K and that with
// the slowd MA into slow %D; STOCHF smooths fast %K once into fast %D. The
// MAs are TA_MA's (any type but MAMA; period 1 is the identity), fed only
// valid values, as TA-Lib feeds its intermediate buffer; their unstable
// periods come from Settings. Lookback is fastk_period-1 plus the MAs'
// lookbacks. Not safe for concurrent use.
type Stoch struct {
	multiB
	slow     bool
	win      hlB
	ma1, ma2 stage // STOCHF uses ma1 only
	// sma1 and sma2 are ma1 and ma2 when they are SMAs (the defaults):
	// their steady-state steps inline in Update instead of interface calls.
	sma1, sma2 *SMA
}

// NewStoch returns TA-Lib's STOCH: fastK (1..100000), slowK (1..100000)
// smoothed with slowKMA, slowD (1..100000) smoothed with slowDMA.
func NewStoch(fastK, slowK int, slowKMA MAType, slowD int, slowDMA MAType, set Settings) (*Stoch, error) {
	if err := checkPeriod("stoch", "fastk_period", fastK, 1, 100000); err != nil {
		return nil, err
	}
	ma1, err := newStage(slowKMA, slowK, set)
	if err != nil {
		return nil, err
	}
	ma2, err := newStage(slowDMA, slowD, set)
	if err != nil {
		return nil, err
	}
	x := &Stoch{slow: true, win: newHLB(fastK), ma1: ma1, ma2: ma2}
	x.sma1, _ = ma1.(*SMA)
	x.sma2, _ = ma2.(*SMA)
	lb := fastK - 1 + ma1.Lookback() + ma2.Lookback()
	x.initM(specName("stoch", SourceClose, float64(fastK), float64(slowK), float64(slowKMA), float64(slowD),
		float64(slowDMA)), lb, outputsStoch)
	return x, nil
}

// NewStochF returns TA-Lib's STOCHF: fastK (1..100000) and fastD
// (1..100000) smoothed with fastDMA.
func NewStochF(fastK, fastD int, fastDMA MAType, set Settings) (*Stoch, error) {
	if err := checkPeriod("stochf", "fastk_period", fastK, 1, 100000); err != nil {
		return nil, err
	}
	ma1, err := newStage(fastDMA, fastD, set)
	if err != nil {
		return nil, err
	}
	x := &Stoch{win: newHLB(fastK), ma1: ma1}
	x.sma1, _ = ma1.(*SMA)
	lb := fastK - 1 + ma1.Lookback()
	x.initM(specName("stochf", SourceClose, float64(fastK), float64(fastD), float64(fastDMA)), lb, outputsStochF)
	return x, nil
}

// fastK is TA-Lib's stochastic of close within [lo, hi].
func fastKB(hi, lo, close float64) float64 {
	if diff := (hi - lo) / 100.0; diff != 0.0 {
		return (close - lo) / diff
	}
	return 0.0
}

// Update implements Indicator.
func (x *Stoch) Update(in Input) {
	x.win.push(in.High, in.Low)
	if x.win.n >= int64(x.win.w) {
		_, hi, _, lo := x.win.current()
		k := fastKB(hi, lo, in.Close)
		if x.sma1 != nil && x.sma1.ready && (!x.slow || (x.sma2 != nil && x.sma2.ready)) {
			d := x.sma1.step(k)
			if !x.slow {
				x.vals[0], x.vals[1] = k, d
			} else {
				x.vals[0], x.vals[1] = d, x.sma2.step(d)
			}
			x.commitM()
			return
		}
		d := x.ma1.Next(k)
		if !x.slow {
			x.vals[0], x.vals[1] = k, d
		} else if x.ma1.Ready() {
			x.vals[0], x.vals[1] = d, x.ma2.Next(d)
		}
	}
	x.commitM()
}

// Peek implements Indicator.
func (x *Stoch) Peek(in Input, out []float64) bool {
	out[0], out[1] = nan, nan
	if !x.nextReady() {
		return false
	}
	_, hi, _, lo := x.win.peek(in.High, in.Low)
	k := fastKB(hi, lo, in.Close)
	d := x.ma1.PeekNext(k)
	if !x.slow {
		out[0], out[1] = k, d
		return true
	}
	out[0], out[1] = d, x.ma2.PeekNext(d)
	return true
}

// Reset implements Indicator.
func (x *Stoch) Reset() {
	x.resetM()
	x.win.reset()
	x.ma1.Reset()
	if x.ma2 != nil {
		x.ma2.Reset()
	}
}

// MarshalBinary implements Indicator.
func (x *Stoch) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeM(e)
	x.win.encode(e)
	if err := encodeSub(e, x.ma1); err != nil {
		return nil, err
	}
	if x.ma2 != nil {
		if err := encodeSub(e, x.ma2); err != nil {
			return nil, err
		}
	}
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *Stoch) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeM(d)
	x.win.decode(d)
	decodeSub(d, x.ma1)
	if x.ma2 != nil {
		decodeSub(d, x.ma2)
	}
	return d.finish()
}
