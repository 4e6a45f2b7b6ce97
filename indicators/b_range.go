package indicators

// Sliding highest/lowest indicators: MAX, MIN, MIDPOINT, MIDPRICE, WILLR,
// AROON, AROONOSC and Donchian channels. TA-Lib tracks the extreme and its
// index and rescans the window when the extreme leaves it (O(period) in the
// worst case); here a monotonic deque gives the same extreme in O(1)
// amortised. The values are identical because a max or min does not depend
// on how it is found; where an index is exposed (AROON) the deque keeps the
// latest index among equal extremes, which is TA-Lib's tie rule.

// hlB is a window of w inputs with a sliding maximum and minimum (MAX and
// MIN switch off the side they do not need: half the work).
type hlB struct {
	w          int
	n          int64 // index of the next input
	hi, lo     deque
	noHi, noLo bool
}

func newHLB(w int) hlB { return hlB{w: w, hi: newDeque(w, false), lo: newDeque(w, true)} }

func (h *hlB) first() int64 { return h.n - int64(h.w) + 1 }

// push adds an input's high and low.
func (h *hlB) push(high, low float64) {
	f := h.first()
	if !h.noHi {
		h.hi.push(h.n, high, f)
	}
	if !h.noLo {
		h.lo.push(h.n, low, f)
	}
	h.n++
}

// peek returns the extremes (with indices) that push(high, low) would give.
func (h *hlB) peek(high, low float64) (hiIdx int64, hi float64, loIdx int64, lo float64) {
	f := h.first()
	if !h.noHi {
		hiIdx, hi = h.hi.peek(h.n, high, f)
	}
	if !h.noLo {
		loIdx, lo = h.lo.peek(h.n, low, f)
	}
	return
}

// current returns the extremes after the last push.
func (h *hlB) current() (hiIdx int64, hi float64, loIdx int64, lo float64) {
	if !h.noHi {
		hiIdx, hi = h.hi.front()
	}
	if !h.noLo {
		loIdx, lo = h.lo.front()
	}
	return
}

func (h *hlB) reset() { h.n = 0; h.hi.reset(); h.lo.reset() }

func (h *hlB) encode(e *stateEncoder) {
	e.int(int(h.n))
	h.hi.encode(e)
	h.lo.encode(e)
}

func (h *hlB) decode(d *stateDecoder) {
	h.n = int64(d.int())
	h.hi.decode(d)
	h.lo.decode(d)
	if h.n < 0 {
		d.fail("negative input index")
	}
}

// rangeKindB selects what a rangeB computes from the window's extremes.
type rangeKindB uint8

const (
	rangeMax      rangeKindB = iota // TA_MAX: highest src
	rangeMin                        // TA_MIN: lowest src
	rangeMidpoint                   // TA_MIDPOINT: (highest src + lowest src)/2
	rangeMidprice                   // TA_MIDPRICE: (highest high + lowest low)/2
	rangeWillR                      // TA_WILLR
	rangeAroonOsc                   // TA_AROONOSC
)

// Range is a single-output sliding-window indicator over highs and lows:
// TA-Lib's MAX, MIN, MIDPOINT (over a source), MIDPRICE, WILLR or AROONOSC,
// built by NewMax, NewMin, NewMidpoint, NewMidprice, NewWillR and
// NewAroonOsc. Update and Peek are O(1) amortised. Not safe for concurrent
// use.
type Range struct {
	singleB
	kind   rangeKindB
	period int
	src    Source
	win    hlB
}

func newRangeB(kind rangeKindB, fn string, period, min int, src Source, window, lookback int) (*Range, error) {
	if err := checkPeriod(fn, "timeperiod", period, min, 100000); err != nil {
		return nil, err
	}
	x := &Range{kind: kind, period: period, src: src, win: newHLB(window)}
	x.win.noHi, x.win.noLo = kind == rangeMin, kind == rangeMax
	if x.win.noHi {
		x.win.hi = newDeque(1, false)
	}
	if x.win.noLo {
		x.win.lo = newDeque(1, true)
	}
	x.initB(specName(fn, src, float64(period)), lookback)
	return x, nil
}

// NewMax returns TA-Lib's MAX: the highest src over period (2..100000)
// inputs. Lookback period-1.
func NewMax(period int, src Source) (*Range, error) {
	return newRangeB(rangeMax, "max", period, 2, src, period, period-1)
}

// NewMin returns TA-Lib's MIN: the lowest src over period (2..100000)
// inputs. Lookback period-1.
func NewMin(period int, src Source) (*Range, error) {
	return newRangeB(rangeMin, "min", period, 2, src, period, period-1)
}

// NewMidpoint returns TA-Lib's MIDPOINT: (highest + lowest src)/2 over
// period (2..100000) inputs. Lookback period-1.
func NewMidpoint(period int, src Source) (*Range, error) {
	return newRangeB(rangeMidpoint, "midpoint", period, 2, src, period, period-1)
}

// NewMidprice returns TA-Lib's MIDPRICE: (highest high + lowest low)/2 over
// period (2..100000) bars. Lookback period-1.
func NewMidprice(period int) (*Range, error) {
	return newRangeB(rangeMidprice, "midprice", period, 2, SourceClose, period, period-1)
}

// NewWillR returns TA-Lib's WILLR, Larry Williams' %R over period
// (2..100000) bars: (highest high - close) / ((highest - lowest) / -100),
// 0 when the range is 0. Lookback period-1.
func NewWillR(period int) (*Range, error) {
	return newRangeB(rangeWillR, "willr", period, 2, SourceClose, period, period-1)
}

// NewAroonOsc returns TA-Lib's AROONOSC over period (2..100000): Aroon up
// minus Aroon down, computed as TA-Lib does as
// (100/period) * (index of highest high - index of lowest low) over the last
// period+1 bars, the latest index winning ties. Lookback period.
func NewAroonOsc(period int) (*Range, error) {
	return newRangeB(rangeAroonOsc, "aroonosc", period, 2, SourceClose, period+1, period)
}

func (x *Range) feed(in *Input) (high, low float64) {
	switch x.kind {
	case rangeMax, rangeMin, rangeMidpoint:
		v := srcB(x.src, in)
		return v, v
	}
	return in.High, in.Low
}

func (x *Range) calc(hiIdx int64, hi float64, loIdx int64, lo float64, in *Input) float64 {
	switch x.kind {
	case rangeMax:
		return hi
	case rangeMin:
		return lo
	case rangeMidpoint, rangeMidprice:
		return (hi + lo) / 2.0
	case rangeWillR:
		// TA-Lib keeps diff = (highest-lowest)/(-100.0) and divides by it.
		if diff := (hi - lo) / (-100.0); diff != 0.0 {
			return (hi - in.Close) / diff
		}
		return 0.0
	case rangeAroonOsc:
		return (100.0 / float64(x.period)) * float64(hiIdx-loIdx)
	}
	return nan
}

// Update implements Indicator.
func (x *Range) Update(in Input) {
	x.win.push(x.feed(&in))
	v := nan
	if x.nextReady() {
		hiIdx, hi, loIdx, lo := x.win.current()
		v = x.calc(hiIdx, hi, loIdx, lo, &in)
	}
	x.commit(v)
}

// Peek implements Indicator.
func (x *Range) Peek(in Input, out []float64) bool {
	if !x.nextReady() {
		out[0] = nan
		return false
	}
	h, l := x.feed(&in)
	hiIdx, hi, loIdx, lo := x.win.peek(h, l)
	out[0] = x.calc(hiIdx, hi, loIdx, lo, &in)
	return true
}

// Reset implements Indicator.
func (x *Range) Reset() { x.resetB(); x.win.reset() }

// MarshalBinary implements Indicator.
func (x *Range) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeB(e)
	x.win.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *Range) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeB(d)
	x.win.decode(d)
	return d.finish()
}

var (
	outputsAroon   = []string{"down", "up"}
	outputsChannel = []string{"upper", "middle", "lower"}
)

// Aroon is Tushar Chande's Aroon, TA-Lib TA_AROON, outputs "down" and "up":
// (100/period) * (period - bars since the lowest low / highest high) over
// the last period+1 bars, the latest bar winning ties as in TA-Lib. Lookback
// period. Not safe for concurrent use.
type Aroon struct {
	multiB
	period int
	win    hlB
}

// NewAroon returns an Aroon over period (2..100000).
func NewAroon(period int) (*Aroon, error) {
	if err := checkPeriod("aroon", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	x := &Aroon{period: period, win: newHLB(period + 1)}
	x.initM(specName("aroon", SourceClose, float64(period)), period, outputsAroon)
	return x, nil
}

// calc writes the outputs for input index today.
func (x *Aroon) calc(today, hiIdx, loIdx int64, out []float64) {
	factor := 100.0 / float64(x.period)
	out[0] = factor * float64(x.period-int(today-loIdx))
	out[1] = factor * float64(x.period-int(today-hiIdx))
}

// Update implements Indicator.
func (x *Aroon) Update(in Input) {
	x.win.push(in.High, in.Low)
	if x.nextReady() {
		hiIdx, _, loIdx, _ := x.win.current()
		x.calc(x.win.n-1, hiIdx, loIdx, x.vals[:])
	}
	x.commitM()
}

// Peek implements Indicator.
func (x *Aroon) Peek(in Input, out []float64) bool {
	if !x.nextReady() {
		out[0], out[1] = nan, nan
		return false
	}
	hiIdx, _, loIdx, _ := x.win.peek(in.High, in.Low)
	x.calc(x.win.n, hiIdx, loIdx, out)
	return true
}

// Reset implements Indicator.
func (x *Aroon) Reset() { x.resetM(); x.win.reset() }

// MarshalBinary implements Indicator.
func (x *Aroon) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeM(e)
	x.win.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *Aroon) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeM(d)
	x.win.decode(d)
	return d.finish()
}

// Donchian is Richard Donchian's price channel, outputs "upper" (highest
// high of the last period bars, the current one included), "lower" (lowest
// low) and "middle" ((upper+lower)/2, which equals TA-Lib's MIDPRICE).
// Beyond TA-Lib; default period 20. Lookback period-1. Not safe for
// concurrent use.
type Donchian struct {
	multiB
	period int
	win    hlB
}

// NewDonchian returns Donchian channels over period (2..100000) bars.
func NewDonchian(period int) (*Donchian, error) {
	if err := checkPeriod("donchian", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	x := &Donchian{period: period, win: newHLB(period)}
	x.initM(specName("donchian", SourceClose, float64(period)), period-1, outputsChannel)
	return x, nil
}

// Update implements Indicator.
func (x *Donchian) Update(in Input) {
	x.win.push(in.High, in.Low)
	if x.nextReady() {
		_, hi, _, lo := x.win.current()
		x.vals[0], x.vals[1], x.vals[2] = hi, (hi+lo)/2.0, lo
	}
	x.commitM()
}

// Peek implements Indicator.
func (x *Donchian) Peek(in Input, out []float64) bool {
	if !x.nextReady() {
		out[0], out[1], out[2] = nan, nan, nan
		return false
	}
	_, hi, _, lo := x.win.peek(in.High, in.Low)
	out[0], out[1], out[2] = hi, (hi+lo)/2.0, lo
	return true
}

// Reset implements Indicator.
func (x *Donchian) Reset() { x.resetM(); x.win.reset() }

// MarshalBinary implements Indicator.
func (x *Donchian) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeM(e)
	x.win.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *Donchian) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeM(d)
	x.win.decode(d)
	return d.finish()
}
