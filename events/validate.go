package events

import (
	"errors"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// The binary codec stores times as int64 Unix nanoseconds, with MinInt64
// standing for the zero time, so only instants strictly inside this range
// survive every encoding. Validate rejects the rest.
var (
	minEventTime = time.Unix(0, math.MinInt64+1).UTC()
	maxEventTime = time.Unix(0, math.MaxInt64).UTC()
)

// problems collects the validation problems of one event, so that a user sees
// every problem in one go rather than one per attempt.
type problems struct {
	event string
	// key names the event in messages; it is built from these on the first
	// problem, so that validating a good event allocates nothing.
	key    string
	symbol string
	time   time.Time
	errs   []error
}

func (p *problems) add(field, problem string) {
	if p.key == "" {
		p.key = eventKey(p.symbol, p.time)
	}
	p.errs = append(p.errs, &ValidationError{Event: p.event, Key: p.key, Field: field, Problem: problem})
}

func (p *problems) err() error { return errors.Join(p.errs...) }

// text reports a string JSON cannot carry: canonical JSON replaces invalid
// UTF-8 with U+FFFD, so such an event would not survive the trip.
func (p *problems) text(field, s string) {
	if !utf8.ValidString(s) {
		p.add(field, field+" is not valid UTF-8")
	}
}

func (p *problems) checkTime(field, name string, t time.Time) {
	switch {
	case t.IsZero():
		p.add(field, name+" is zero")
	case t.Location() != time.UTC:
		p.add(field, name+" "+t.Format(time.RFC3339Nano)+" is not UTC (location "+strconv.Quote(t.Location().String())+")")
	case t.Before(minEventTime) || t.After(maxEventTime):
		p.add(field, name+" "+t.Format(time.RFC3339Nano)+" outside the years 1678..2262")
	}
}

func (p *problems) positive(field string, v Fixed) {
	switch v.Sign() {
	case 0:
		p.add(field, field+" is zero")
	case -1:
		p.add(field, field+" "+v.String()+" is negative")
	}
}

func (p *problems) nonNegative(field string, v Fixed) {
	if v.Sign() < 0 {
		p.add(field, field+" "+v.String()+" is negative")
	}
}

func (p *problems) finite(field string, v float64) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		p.add(field, field+" is "+strconv.FormatFloat(v, 'g', -1, 64))
		return false
	}
	return true
}

// eventKey names an event in messages: "BTC-USDT 2021-01-01T00:00:00Z".
func eventKey(symbol string, t time.Time) string {
	s := symbol
	if s == "" {
		s = `""`
	}
	if !t.IsZero() {
		s += " " + t.UTC().Format(time.RFC3339Nano)
	}
	return s
}

// Validate reports every problem of b at once, joined with errors.Join; each
// is a [*ValidationError] matching [ErrInvalid]. It returns nil for a valid
// bar: a symbol; UTC open and close times with CloseTime - OpenTime ==
// Interval > 0; positive prices with Low <= Open, Close <= High; non-negative
// volumes and trade count.
func (b Bar) Validate() error {
	p := problems{event: "bar", symbol: b.Symbol, time: b.OpenTime}
	if b.Symbol == "" {
		p.add("symbol", "symbol is empty")
	}
	p.text("symbol", b.Symbol)
	p.text("venue", b.Venue)
	p.checkTime("open_time", "open time", b.OpenTime)
	p.checkTime("close_time", "close time", b.CloseTime)
	switch {
	case b.Interval == 0:
		p.add("interval", "interval is zero")
	case b.Interval < 0:
		p.add("interval", "interval "+time.Duration(b.Interval).String()+" is negative")
	}
	if !b.OpenTime.IsZero() && !b.CloseTime.IsZero() {
		if d := b.CloseTime.Sub(b.OpenTime); d <= 0 {
			p.add("close_time", "close time "+b.CloseTime.Format(time.RFC3339Nano)+
				" not after open time "+b.OpenTime.Format(time.RFC3339Nano))
		} else if b.Interval > 0 && d != b.Interval.Duration() {
			p.add("interval", "interval "+b.Interval.String()+" does not match close time - open time = "+
				Interval(d).String())
		}
	}
	p.positive("open", b.Open)
	p.positive("high", b.High)
	p.positive("low", b.Low)
	p.positive("close", b.Close)
	// Compare only positive prices: a zero or negative one is already
	// reported, and "high 0 below open 5" would just repeat it.
	if b.High.Sign() > 0 {
		for _, o := range [...]struct {
			name string
			v    Fixed
		}{{"open", b.Open}, {"close", b.Close}, {"low", b.Low}} {
			if o.v.Sign() > 0 && b.High.Cmp(o.v) < 0 {
				p.add("high", "high "+b.High.String()+" below "+o.name+" "+o.v.String())
			}
		}
	}
	if b.Low.Sign() > 0 {
		for _, o := range [...]struct {
			name string
			v    Fixed
		}{{"open", b.Open}, {"close", b.Close}} {
			if o.v.Sign() > 0 && b.Low.Cmp(o.v) > 0 {
				p.add("low", "low "+b.Low.String()+" above "+o.name+" "+o.v.String())
			}
		}
	}
	p.nonNegative("volume", b.Volume)
	if b.HasQuoteVolume {
		p.nonNegative("quote_volume", b.QuoteVolume)
	}
	if b.HasTradeCount && b.TradeCount < 0 {
		p.add("trade_count", "trade count "+strconv.FormatInt(b.TradeCount, 10)+" is negative")
	}
	return p.err()
}

// Validate reports every problem of t at once (see [Bar.Validate]): a symbol,
// a UTC time, a positive price and quantity, and a declared side.
func (t Trade) Validate() error {
	p := problems{event: "trade", symbol: t.Symbol, time: t.Time}
	if t.Symbol == "" {
		p.add("symbol", "symbol is empty")
	}
	p.text("symbol", t.Symbol)
	p.text("venue", t.Venue)
	p.text("id", t.ID)
	p.checkTime("time", "time", t.Time)
	p.positive("price", t.Price)
	p.positive("quantity", t.Quantity)
	if t.Side > SideSell {
		p.add("side", "side "+strconv.Itoa(int(t.Side))+" is unknown")
	}
	return p.err()
}

// Validate reports every problem of s at once (see [Bar.Validate]): an ID,
// strategy and symbol; a positive timeframe; a UTC time; a declared kind and
// status; a finite strength in [-1, 1]; a non-negative price; named
// parameters; named, finite indicator values.
func (s Signal) Validate() error {
	p := problems{event: "signal", key: s.ID, symbol: s.Symbol, time: s.Time}
	if s.ID == "" {
		p.add("id", "id is empty")
	}
	if s.Strategy == "" {
		p.add("strategy", "strategy is empty")
	}
	if s.Symbol == "" {
		p.add("symbol", "symbol is empty")
	}
	for _, f := range [...]struct{ name, v string }{{"id", s.ID}, {"strategy", s.Strategy},
		{"strategy_version", s.StrategyVersion}, {"param_hash", s.ParamHash}, {"symbol", s.Symbol},
		{"reason", s.Reason}, {"source", s.Source.Stream}} {
		p.text(f.name, f.v)
	}
	if s.Timeframe <= 0 {
		p.add("timeframe", "timeframe "+time.Duration(s.Timeframe).String()+" is not positive")
	}
	p.checkTime("time", "time", s.Time)
	if !s.Kind.Valid() {
		p.add("kind", "kind "+strconv.Itoa(int(s.Kind))+" is unknown")
	}
	if !s.Status.Valid() {
		p.add("status", "status "+strconv.Itoa(int(s.Status))+" is unknown")
	}
	if p.finite("strength", s.Strength) && (s.Strength < -1 || s.Strength > 1) {
		p.add("strength", "strength "+strconv.FormatFloat(s.Strength, 'g', -1, 64)+" outside [-1, 1]")
	}
	p.nonNegative("price", s.Price)
	for i, pr := range s.Params {
		if pr.Name == "" {
			p.add("params", "params["+strconv.Itoa(i)+"] has an empty name")
		}
		if !utf8.ValidString(pr.Name) || !utf8.ValidString(pr.Value) {
			p.add("params", "params["+strconv.Itoa(i)+"] is not valid UTF-8")
		}
	}
	for i, iv := range s.Indicators {
		field := "indicators[" + strconv.Itoa(i) + "]"
		if iv.Name == "" {
			p.add("indicators", field+" has an empty name")
		} else if !utf8.ValidString(iv.Name) {
			p.add("indicators", field+" name is not valid UTF-8")
		} else {
			field = "indicator " + iv.Name
		}
		if math.IsNaN(iv.Value) || math.IsInf(iv.Value, 0) {
			p.add("indicators", field+" is "+strconv.FormatFloat(iv.Value, 'g', -1, 64))
		}
	}
	if s.Source.Partition < 0 || s.Source.Offset < 0 {
		p.add("source", "source position "+strconv.Itoa(int(s.Source.Partition))+":"+
			strconv.FormatInt(s.Source.Offset, 10)+" is negative")
	}
	return p.err()
}

// Validate reports every problem of d at once: a reason and a UTC time.
func (d DeadLetter) Validate() error {
	p := problems{event: "deadletter", key: d.Source, symbol: d.Source}
	if d.Reason == "" {
		p.add("reason", "reason is empty")
	}
	p.text("reason", d.Reason)
	p.text("source", d.Source)
	p.checkTime("time", "time", d.Time)
	return p.err()
}
