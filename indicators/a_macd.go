package indicators

// fastSlow runs a fast and a slow moving average the way TA-Lib's MACD and
// MACDEXT call them: both are asked for output from the same first index
// (the larger of their lookbacks), so the one with the smaller lookback
// starts consuming input late, at index largest-own lookback. For
// MACD(12,26) that means the fast EMA is seeded with the average of inputs
// 14..25 rather than 0..11: TA-Lib's INT_MACD seeds it there, and the fast
// EMA's value differs (decaying) from an EMA started at input 0.
//
// APO and PPO are different: TA-Lib's INT_PO passes the caller's startIdx
// (0 for a whole series) to both TA_MA calls, so each MA starts at input 0
// (aligned=false).
type fastSlow struct {
	fast, slow           stage
	fastStart, slowStart int // first input index each consumes
	largest              int // max of the two lookbacks
	// both caches fast.Ready() && slow.Ready() once true (readiness never
	// goes back but by Reset or a restore, which clear it): two interface
	// calls fewer per update.
	both bool
	// The concrete averages when both are SMAs or both EMAs (APO, PPO and
	// MACDEXT default to SMA, MACD is EMA): their steady-state steps inline
	// here instead of two interface calls per update.
	sma1, sma2 *SMA
	ema1, ema2 *EMA
}

func newFastSlow(fast, slow stage, aligned bool) fastSlow {
	fl, sl := fast.Lookback(), slow.Lookback()
	largest := max(fl, sl)
	fs := fastSlow{fast: fast, slow: slow, largest: largest}
	if f, ok := fast.(*SMA); ok {
		if s, ok := slow.(*SMA); ok {
			fs.sma1, fs.sma2 = f, s
		}
	}
	if f, ok := fast.(*EMA); ok {
		if s, ok := slow.(*EMA); ok {
			fs.ema1, fs.ema2 = f, s
		}
	}
	if aligned {
		fs.fastStart, fs.slowStart = largest-fl, largest-sl
	}
	return fs
}

// next feeds v, the input at index idx, and reports whether both averages
// are valid.
func (fs *fastSlow) next(idx int, v float64) (f, s float64, ok bool) {
	if fs.both {
		switch {
		case fs.sma1 != nil:
			return fs.sma1.step(v), fs.sma2.step(v), true
		case fs.ema1 != nil:
			return fs.ema1.step(v), fs.ema2.step(v), true
		}
		return fs.fast.Next(v), fs.slow.Next(v), true
	}
	if idx >= fs.fastStart {
		f = fs.fast.Next(v)
	}
	if idx >= fs.slowStart {
		s = fs.slow.Next(v)
	}
	fs.both = fs.fast.Ready() && fs.slow.Ready()
	return f, s, fs.both
}

// peek returns what next would give; both must be ready after v (the caller
// checks its own lookback first).
func (fs *fastSlow) peek(v float64) (f, s float64) {
	return fs.fast.PeekNext(v), fs.slow.PeekNext(v)
}

func (fs *fastSlow) reset() { fs.fast.Reset(); fs.slow.Reset(); fs.both = false }

func (fs *fastSlow) encode(e *stateEncoder) error {
	if err := encodeSub(e, fs.fast); err != nil {
		return err
	}
	return encodeSub(e, fs.slow)
}

func (fs *fastSlow) decode(d *stateDecoder) {
	fs.both = false
	decodeSub(d, fs.fast)
	decodeSub(d, fs.slow)
}

var outputsMACD = []string{"macd", "signal", "hist"}

// MACD is moving average convergence/divergence: TA-Lib TA_MACD, TA_MACDFIX
// and TA_MACDEXT. Outputs: "macd" (fast MA - slow MA), "signal" (an MA of
// macd) and "hist" (macd - signal), all valid from the same input.
//
// As in TA-Lib, the periods are swapped when slow < fast (with their MA
// types, for MACDEXT); the fast MA starts late so that its first value falls
// on the slow MA's first (see fastSlow); the signal MA is fed only valid macd
// values. MACD uses EMAs with k = 2/(period+1); MACDFIX uses 26 and 12 with
// TA-Lib's fixed k of 0.075 and 0.15. Lookback is the slow MA's lookback plus
// the signal MA's, unstable periods included ("EMA" for MACD and MACDFIX).
//
// A MACD is not safe for concurrent use.
type MACD struct {
	multi
	fs     fastSlow
	signal stage
}

// NewMACD returns TA-Lib's MACD(fast, slow, signal) over src: fast and slow
// 2..100000, signal 1..100000 (defaults 12, 26, 9).
func NewMACD(fast, slow, signal int, src Source, set Settings) (*MACD, error) {
	if err := checkPeriod("macd", "fastperiod", fast, 2, 100000); err != nil {
		return nil, err
	}
	if err := checkPeriod("macd", "slowperiod", slow, 2, 100000); err != nil {
		return nil, err
	}
	if err := checkPeriod("macd", "signalperiod", signal, 1, 100000); err != nil {
		return nil, err
	}
	name := specName("macd", src, float64(fast), float64(slow), float64(signal))
	if slow < fast {
		fast, slow = slow, fast
	}
	u := unstableA(set, "EMA")
	return newMACD(name, src,
		newEMAK("ema", SourceClose, fast, perToK(fast), u),
		newEMAK("ema", SourceClose, slow, perToK(slow), u),
		newEMAK("ema", SourceClose, signal, perToK(signal), u)), nil
}

// NewMACDFix returns TA-Lib's MACDFIX(signal) over src: MACD 12/26 with the
// fixed EMA factors 0.15 and 0.075, signal 1..100000 (default 9).
func NewMACDFix(signal int, src Source, set Settings) (*MACD, error) {
	if err := checkPeriod("macdfix", "signalperiod", signal, 1, 100000); err != nil {
		return nil, err
	}
	u := unstableA(set, "EMA")
	return newMACD(specName("macdfix", src, float64(signal)), src,
		newEMAK("ema", SourceClose, 12, 0.15, u),
		newEMAK("ema", SourceClose, 26, 0.075, u),
		newEMAK("ema", SourceClose, signal, perToK(signal), u)), nil
}

// NewMACDExt returns TA-Lib's MACDEXT over src with a moving average type per
// line: fast and slow periods 2..100000, signal 1..100000; TA-Lib's defaults
// are 12/sma, 26/sma, 9/sma. Each MA is built as TA-Lib's TA_MA builds it
// (period 1 is the identity; MAMA is MAMA(0.5,0.05)'s mama line).
func NewMACDExt(fast int, fastT MAType, slow int, slowT MAType, signal int, signalT MAType, src Source, set Settings) (*MACD, error) {
	if err := checkPeriod("macdext", "fastperiod", fast, 2, 100000); err != nil {
		return nil, err
	}
	if err := checkPeriod("macdext", "slowperiod", slow, 2, 100000); err != nil {
		return nil, err
	}
	if err := checkPeriod("macdext", "signalperiod", signal, 1, 100000); err != nil {
		return nil, err
	}
	name := specName("macdext", src, float64(fast), float64(fastT), float64(slow), float64(slowT), float64(signal), float64(signalT))
	if slow < fast {
		fast, slow = slow, fast
		fastT, slowT = slowT, fastT
	}
	f, err := newStage(fastT, fast, set)
	if err != nil {
		return nil, err
	}
	s, err := newStage(slowT, slow, set)
	if err != nil {
		return nil, err
	}
	g, err := newStage(signalT, signal, set)
	if err != nil {
		return nil, err
	}
	return newMACD(name, src, f, s, g), nil
}

func newMACD(name string, src Source, fast, slow, signal stage) *MACD {
	m := &MACD{fs: newFastSlow(fast, slow, true), signal: signal}
	m.init(name, src, outputsMACD, m.fs.largest+signal.Lookback())
	return m
}

// Next consumes v and returns the three outputs (NaN during the lookback).
func (m *MACD) Next(v float64) (macd, signal, hist float64) {
	idx := m.n
	f, s, ok := m.fs.next(idx, v)
	if ok {
		macd = f - s
		sig := m.signal.Next(macd)
		if m.advance() {
			m.vals = [3]float64{macd, sig, macd - sig}
		}
	} else {
		m.advance()
	}
	return m.vals[0], m.vals[1], m.vals[2]
}

// Update implements Indicator.
func (m *MACD) Update(in Input) { m.Next(readA(m.src, &in)) }

// Peek implements Indicator.
func (m *MACD) Peek(in Input, out []float64) bool {
	if !m.peekReady() {
		return m.peekNaN(out)
	}
	f, s := m.fs.peek(readA(m.src, &in))
	macd := f - s
	sig := m.signal.PeekNext(macd)
	out[0], out[1], out[2] = macd, sig, macd-sig
	return true
}

// Reset implements Indicator.
func (m *MACD) Reset() {
	m.resetMulti()
	m.fs.reset()
	m.signal.Reset()
}

// MarshalBinary implements Indicator.
func (m *MACD) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(m.name)
	m.encodeMulti(e)
	if err := m.fs.encode(e); err != nil {
		return nil, err
	}
	if err := encodeSub(e, m.signal); err != nil {
		return nil, err
	}
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (m *MACD) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, m.name)
	m.decodeMulti(d)
	m.fs.decode(d)
	decodeSub(d, m.signal)
	return d.finish()
}

// PriceOsc is the price oscillator: TA-Lib TA_APO (fast MA - slow MA) and TA_PPO
// (((fast - slow)/slow)*100, 0 when slow is within 1e-14 of 0), both MAs of
// one type, periods swapped when slow < fast. Unlike MACD, both MAs start at
// the first input, as TA-Lib's INT_PO runs them (see fastSlow). Lookback is
// the slow MA's.
//
// A PriceOsc is not safe for concurrent use.
type PriceOsc struct {
	scalar
	fs      fastSlow
	percent bool
}

var _ stage = (*PriceOsc)(nil)

// NewAPO returns TA-Lib's APO(fast, slow, matype) over src: periods 2..100000
// (defaults 12, 26, sma).
func NewAPO(fast, slow int, t MAType, src Source, set Settings) (*PriceOsc, error) {
	return newPO("apo", false, fast, slow, t, src, set)
}

// NewPPO returns TA-Lib's PPO(fast, slow, matype) over src: periods 2..100000
// (defaults 12, 26, sma).
func NewPPO(fast, slow int, t MAType, src Source, set Settings) (*PriceOsc, error) {
	return newPO("ppo", true, fast, slow, t, src, set)
}

func newPO(fn string, percent bool, fast, slow int, t MAType, src Source, set Settings) (*PriceOsc, error) {
	if err := checkPeriod(fn, "fastperiod", fast, 2, 100000); err != nil {
		return nil, err
	}
	if err := checkPeriod(fn, "slowperiod", slow, 2, 100000); err != nil {
		return nil, err
	}
	var name string
	if t == MASMA {
		name = specName(fn, src, float64(fast), float64(slow))
	} else {
		name = specName(fn, src, float64(fast), float64(slow), float64(t))
	}
	if slow < fast {
		fast, slow = slow, fast
	}
	f, err := newStage(t, fast, set)
	if err != nil {
		return nil, err
	}
	s, err := newStage(t, slow, set)
	if err != nil {
		return nil, err
	}
	p := &PriceOsc{fs: newFastSlow(f, s, false), percent: percent}
	p.init(name, src, p.fs.largest)
	return p, nil
}

func (p *PriceOsc) combine(f, s float64) float64 {
	if !p.percent {
		return f - s
	}
	if !isZeroA(s) {
		return ((f - s) / s) * 100.0
	}
	return 0.0
}

// Next consumes v and returns the oscillator, or NaN during the lookback.
func (p *PriceOsc) Next(v float64) float64 {
	f, s, ok := p.fs.next(p.n, v)
	if !ok {
		return p.emit(nan)
	}
	return p.emit(p.combine(f, s))
}

// PeekNext returns what Next(v) would return, without changing state.
func (p *PriceOsc) PeekNext(v float64) float64 {
	if !p.peekReady() {
		return nan
	}
	return p.combine(p.fs.peek(v))
}

// Update implements Indicator.
//
// With both averages SMAs and valid (the default, steady state) the two
// steps inline here: two calls fewer per bar than through Next.
func (p *PriceOsc) Update(in Input) {
	v := readA(p.src, &in)
	if fs := &p.fs; fs.both && fs.sma1 != nil {
		p.emit(p.combine(fs.sma1.step(v), fs.sma2.step(v)))
		return
	}
	p.Next(v)
}

// Peek implements Indicator.
func (p *PriceOsc) Peek(in Input, out []float64) bool {
	out[0] = p.PeekNext(readA(p.src, &in))
	return p.peekReady()
}

// Reset implements Indicator.
func (p *PriceOsc) Reset() { p.resetScalar(); p.fs.reset() }

// MarshalBinary implements Indicator.
func (p *PriceOsc) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(p.name)
	p.encodeScalar(e)
	if err := p.fs.encode(e); err != nil {
		return nil, err
	}
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (p *PriceOsc) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, p.name)
	p.decodeScalar(d)
	p.fs.decode(d)
	return d.finish()
}
