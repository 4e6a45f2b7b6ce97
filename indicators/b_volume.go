package indicators

// OBV is Joe Granville's On Balance Volume, TA-Lib TA_OBV: like TA-Lib it
// starts at the first input's volume (not at 0) and adds or subtracts each
// later volume as src rises or falls. Lookback 0. Not safe for concurrent
// use.
type OBV struct {
	singleB
	src       Source
	obv, prev float64
}

// NewOBV returns an OBV of src (TA-Lib's inReal, close by default).
func NewOBV(src Source) *OBV {
	x := &OBV{src: src}
	x.initB(specName("obv", src), 0)
	return x
}

func (x *OBV) step(in *Input) (obv, prev float64) {
	v := srcB(x.src, in)
	if x.t == 0 {
		return in.Volume, v
	}
	// TA-Lib's "if up obv += vol else if down obv -= vol" as one addition
	// of a delta chosen off the loop-carried chain (selB: up or down is
	// data): +vol, -vol (x - y is x + -y exactly) or -0 (x + -0 is x).
	delta := selB(v < x.prev, -in.Volume, negZero)
	delta = selB(v > x.prev, in.Volume, delta)
	return x.obv + delta, v
}

// Update implements Indicator.
func (x *OBV) Update(in Input) {
	x.obv, x.prev = x.step(&in)
	x.commit(x.obv)
}

// Peek implements Indicator.
func (x *OBV) Peek(in Input, out []float64) bool {
	out[0], _ = x.step(&in)
	return true
}

// Reset implements Indicator.
func (x *OBV) Reset() { x.resetB(); x.obv, x.prev = 0, 0 }

// MarshalBinary implements Indicator.
func (x *OBV) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeB(e)
	e.f64(x.obv)
	e.f64(x.prev)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *OBV) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeB(d)
	x.obv = d.f64()
	x.prev = d.f64()
	return d.finish()
}

// adStepB is TA-Lib's CALCULATE_AD: the close location value times volume
// added to ad, skipped when high <= low.
func adStepB(ad float64, in *Input) float64 {
	if tmp := in.High - in.Low; tmp > 0.0 {
		ad += (((in.Close - in.Low) - (in.High - in.Close)) / tmp) * in.Volume
	}
	return ad
}

// AD is Marc Chaikin's Accumulation/Distribution line, TA-Lib TA_AD.
// Lookback 0. Not safe for concurrent use.
type AD struct {
	singleB
	ad float64
}

// NewAD returns an AD line.
func NewAD() *AD {
	x := &AD{}
	x.initB(specName("ad", SourceClose), 0)
	return x
}

// Update implements Indicator.
func (x *AD) Update(in Input) {
	x.ad = adStepB(x.ad, &in)
	x.commit(x.ad)
}

// Peek implements Indicator.
func (x *AD) Peek(in Input, out []float64) bool {
	out[0] = adStepB(x.ad, &in)
	return true
}

// Reset implements Indicator.
func (x *AD) Reset() { x.resetB(); x.ad = 0 }

// MarshalBinary implements Indicator.
func (x *AD) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeB(e)
	e.f64(x.ad)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *AD) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeB(d)
	x.ad = d.f64()
	return d.finish()
}

// ADOSC is the Chaikin A/D Oscillator, TA-Lib TA_ADOSC: fast EMA minus slow
// EMA of the A/D line, with TA-Lib's own seeding (not TA_EMA's): both EMAs
// start at the first A/D value and are updated as k*ad + (1-k)*ema from the
// second input on. Lookback is EMA's lookback for the slower period
// (max(fast,slow)-1 plus the "EMA" unstable period). Not safe for
// concurrent use.
type ADOSC struct {
	singleB
	fk, fk1, sk, sk1 float64
	ad, fast, slow   float64
}

// NewADOSC returns an ADOSC with fast and slow periods (each 2..100000).
func NewADOSC(fast, slow int, set Settings) (*ADOSC, error) {
	if err := checkPeriod("adosc", "fastperiod", fast, 2, 100000); err != nil {
		return nil, err
	}
	if err := checkPeriod("adosc", "slowperiod", slow, 2, 100000); err != nil {
		return nil, err
	}
	x := &ADOSC{fk: 2.0 / float64(fast+1), sk: 2.0 / float64(slow+1)}
	x.fk1, x.sk1 = 1.0-x.fk, 1.0-x.sk
	x.initB(specName("adosc", SourceClose, float64(fast), float64(slow)), max(fast, slow)-1+unstableB(set, "EMA"))
	return x, nil
}

func (x *ADOSC) step(in *Input) (ad, fast, slow float64) {
	ad = adStepB(x.ad, in)
	if x.t == 0 {
		return ad, ad, ad
	}
	fast = (x.fk * ad) + (x.fk1 * x.fast)
	slow = (x.sk * ad) + (x.sk1 * x.slow)
	return ad, fast, slow
}

// Update implements Indicator.
func (x *ADOSC) Update(in Input) {
	x.ad, x.fast, x.slow = x.step(&in)
	x.commit(x.fast - x.slow)
}

// Peek implements Indicator.
func (x *ADOSC) Peek(in Input, out []float64) bool {
	_, f, s := x.step(&in)
	out[0] = x.show(f - s)
	return x.nextReady()
}

// Reset implements Indicator.
func (x *ADOSC) Reset() { x.resetB(); x.ad, x.fast, x.slow = 0, 0, 0 }

// MarshalBinary implements Indicator.
func (x *ADOSC) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeB(e)
	e.f64(x.ad)
	e.f64(x.fast)
	e.f64(x.slow)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *ADOSC) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeB(d)
	x.ad = d.f64()
	x.fast = d.f64()
	x.slow = d.f64()
	return d.finish()
}

// MFI is Gene Quong and Avrum Soudack's Money Flow Index, TA-Lib TA_MFI:
// 100 * positive / (positive + negative) money flow (typical price times
// volume, signed by the typical price's change) over period inputs, and 0
// when that total is below 1.0 — TA-Lib's threshold, kept although it zeroes
// the index for instruments whose price*volume is small. Lookback is period
// plus Settings' "MFI" unstable period. Not safe for concurrent use.
type MFI struct {
	singleB
	period   int
	pos, neg ring // money flow of the last period inputs
	posSum   float64
	negSum   float64
	prevTP   float64
}

// NewMFI returns an MFI over period (2..100000).
func NewMFI(period int, set Settings) (*MFI, error) {
	if err := checkPeriod("mfi", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	x := &MFI{period: period, pos: newRing(period), neg: newRing(period)}
	x.initB(specName("mfi", SourceClose, float64(period)), period+unstableB(set, "MFI"))
	return x, nil
}

// flow classifies in's money flow; it returns the new sums and the
// (positive, negative) pair stored for in.
func (x *MFI) flow(in *Input) (tp, pos, neg, posSum, negSum float64) {
	posSum, negSum = x.posSum, x.negSum
	if x.pos.full() {
		posSum -= x.pos.oldest()
		negSum -= x.neg.oldest()
	}
	tp = (in.High + in.Low + in.Close) / 3.0
	diff := tp - x.prevTP
	mf := tp * in.Volume
	// TA-Lib's if/else-if as selects (selB): up or down is data. The
	// unselected flow is +0, as TA-Lib's.
	// The sums add the flow or -0 (x + -0 is x), chosen off their chains.
	neg = selB(diff < 0, mf, 0)
	negSum += selB(diff < 0, mf, negZero)
	pos = selB(diff > 0, mf, 0)
	posSum += selB(diff > 0, mf, negZero)
	return tp, pos, neg, posSum, negSum
}

func mfiValueB(posSum, negSum float64) float64 {
	if total := posSum + negSum; !(total < 1.0) {
		return 100.0 * (posSum / total)
	}
	return 0.0
}

// Update implements Indicator.
func (x *MFI) Update(in Input) {
	if x.t == 0 {
		x.prevTP = (in.High + in.Low + in.Close) / 3.0
		x.commit(nan)
		return
	}
	tp, pos, neg, posSum, negSum := x.flow(&in)
	x.prevTP, x.posSum, x.negSum = tp, posSum, negSum
	x.pos.push(pos)
	x.neg.push(neg)
	x.commit(mfiValueB(posSum, negSum))
}

// Peek implements Indicator.
func (x *MFI) Peek(in Input, out []float64) bool {
	if !x.nextReady() {
		out[0] = nan
		return false
	}
	_, _, _, posSum, negSum := x.flow(&in)
	out[0] = mfiValueB(posSum, negSum)
	return true
}

// Reset implements Indicator.
func (x *MFI) Reset() {
	x.resetB()
	x.pos.reset()
	x.neg.reset()
	x.posSum, x.negSum, x.prevTP = 0, 0, 0
}

// MarshalBinary implements Indicator.
func (x *MFI) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeB(e)
	x.pos.encode(e)
	x.neg.encode(e)
	e.f64(x.posSum)
	e.f64(x.negSum)
	e.f64(x.prevTP)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *MFI) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeB(d)
	x.pos.decode(d)
	x.neg.decode(d)
	x.posSum = d.f64()
	x.negSum = d.f64()
	x.prevTP = d.f64()
	return d.finish()
}

// VWAP is the anchored volume-weighted average price: the cumulative sum of
// typical price (high+low+close)/3 times volume divided by the cumulative
// volume, both reset at every session anchor. Sessions are the intervals
// [k*anchor, (k+1)*anchor) of Input.Time since the Unix epoch, anchor given
// in minutes: 1440 (the default) starts a session daily at 00:00 UTC, 60
// hourly, 10080 weekly on Thursdays 00:00 UTC (the epoch's weekday). A bar
// belongs to the session containing its open time. While a session has no
// volume yet the value is the bar's typical price. This is the standard
// intraday VWAP (e.g. Berkowitz, Logue and Noser, "The Total Cost of
// Transactions on the NYSE", Journal of Finance 1988; TradingView's "VWAP"
// with the typical-price source and a session anchor). Beyond TA-Lib.
// Lookback 0. Not safe for concurrent use.
type VWAP struct {
	singleB
	anchor      int64 // nanoseconds
	session     int64
	started     bool
	sumPV, sumV float64
}

// NewVWAP returns a VWAP anchored every anchorMinutes (1..5256000, ten
// years).
func NewVWAP(anchorMinutes int) (*VWAP, error) {
	if err := checkPeriod("vwap", "anchor", anchorMinutes, 1, 5256000); err != nil {
		return nil, err
	}
	x := &VWAP{anchor: int64(anchorMinutes) * 60e9}
	x.initB(specName("vwap", SourceClose, float64(anchorMinutes)), 0)
	return x, nil
}

// sessionOf is floor(t / anchor), also for times before 1970.
func (x *VWAP) sessionOf(t int64) int64 {
	q := t / x.anchor
	if t%x.anchor != 0 && t < 0 {
		q--
	}
	return q
}

func (x *VWAP) step(in *Input) (session int64, sumPV, sumV, v float64) {
	session = x.sessionOf(in.Time)
	if x.started && session == x.session {
		sumPV, sumV = x.sumPV, x.sumV
	}
	tp := (in.High + in.Low + in.Close) / 3
	sumPV += tp * in.Volume
	sumV += in.Volume
	if sumV > 0 {
		return session, sumPV, sumV, sumPV / sumV
	}
	return session, sumPV, sumV, tp
}

// Update implements Indicator.
func (x *VWAP) Update(in Input) {
	var v float64
	x.session, x.sumPV, x.sumV, v = x.step(&in)
	x.started = true
	x.commit(v)
}

// Peek implements Indicator.
func (x *VWAP) Peek(in Input, out []float64) bool {
	_, _, _, out[0] = x.step(&in)
	return true
}

// Reset implements Indicator.
func (x *VWAP) Reset() {
	x.resetB()
	x.session, x.started, x.sumPV, x.sumV = 0, false, 0, 0
}

// MarshalBinary implements Indicator.
func (x *VWAP) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeB(e)
	e.int(int(x.session))
	e.bool(x.started)
	e.f64(x.sumPV)
	e.f64(x.sumV)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *VWAP) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeB(d)
	x.session = int64(d.int())
	x.started = d.bool()
	x.sumPV = d.f64()
	x.sumV = d.f64()
	return d.finish()
}
