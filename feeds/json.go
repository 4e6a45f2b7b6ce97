package feeds

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/candlewick-labs/candlewick/events"
)

// arrayKeys are the top-level object keys whose array holds the bars.
var arrayKeys = map[string]bool{"candles": true, "ohlc": true, "ohlcv": true, "data": true,
	"bars": true, "klines": true, "result": true, "values": true}

// nameKeys are top-level object keys whose string names the series
// ("ETH-USD", "ETH/USD_PT5M@BinanceUS"), read with ParseName.
var nameKeys = map[string]bool{"name": true, "symbol": true, "pair": true, "product": true,
	"productid": true, "instrument": true}

// jsonRows turns JSON array elements and JSONL lines into pending rows. It
// keeps its scratch space between rows.
type jsonRows struct {
	im      *importer
	obj     map[string]json.RawMessage
	roles   map[string]role // key → role cache
	prios   map[string]int
	fields  [][]byte
	arrLay  layout
	haveArr bool
	keys    []string
}

func newJSONRows(im *importer) *jsonRows {
	return &jsonRows{im: im, obj: map[string]json.RawMessage{}, roles: map[string]role{}, prios: map[string]int{}}
}

// runJSON streams a JSON document: a top-level array of rows, or an object
// whose "candles"/"ohlc"/... array holds them. Only the current element is in
// memory. A syntax error is fatal: JSON has no line to resynchronise on.
func (im *importer) runJSON(br *bufio.Reader, format Format) error {
	im.jsonIdx = true
	im.sum.Format = format
	dec := json.NewDecoder(br)
	dec.UseNumber()
	jr := newJSONRows(im)
	tok, err := dec.Token()
	if err != nil {
		return im.fatal(0, jsonErr(err))
	}
	switch tok {
	case json.Delim('['):
		if err := jr.array(dec); err != nil {
			return err
		}
	case json.Delim('{'):
		found := false
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return im.fatal(0, jsonErr(err))
			}
			key, _ := kt.(string)
			nk := normName(key)
			switch {
			case arrayKeys[nk]:
				vt, err := dec.Token()
				if err != nil {
					return im.fatal(0, jsonErr(err))
				}
				if vt != json.Delim('[') {
					if err := skipValue(dec, vt); err != nil {
						return im.fatal(0, jsonErr(err))
					}
					continue
				}
				found = true
				if err := jr.array(dec); err != nil {
					return err
				}
			case nameKeys[nk]:
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return im.fatal(0, jsonErr(err))
				}
				var s string
				if json.Unmarshal(raw, &s) == nil && s != "" {
					im.setDataMeta(parseSeriesName(s))
				}
			default:
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return im.fatal(0, jsonErr(err))
				}
			}
		}
		if _, err := dec.Token(); err != nil {
			return im.fatal(0, jsonErr(err))
		}
		if !found {
			return im.fatal(0, fmt.Errorf("%w: JSON object holds no bar array (candles, ohlc, data, ...)", ErrUnknownFormat))
		}
	default:
		return im.fatal(0, fmt.Errorf("%w: JSON document is not an array or object", ErrUnknownFormat))
	}
	return nil
}

func jsonErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated JSON: %w", ErrMalformed, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("%w: %w", ErrMalformed, err)
}

// skipValue consumes the rest of a value whose first token was t.
func skipValue(dec *json.Decoder, t json.Token) error {
	if t != json.Delim('[') && t != json.Delim('{') {
		return nil
	}
	depth := 1
	for depth > 0 {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('['), json.Delim('{'):
			depth++
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
	}
	return nil
}

// array reads the elements of an array whose '[' was consumed, and its ']'.
func (jr *jsonRows) array(dec *json.Decoder) error {
	im := jr.im
	var raw json.RawMessage
	for i := 0; dec.More(); i++ {
		raw = raw[:0]
		if err := dec.Decode(&raw); err != nil {
			return im.fatal(0, fmt.Errorf("#%d: %w", i, jsonErr(err)))
		}
		im.sum.Read++
		if err := im.tick(i); err != nil {
			return err
		}
		p := pending{pos: i, raw: raw}
		jr.element(&p, raw)
		if err := im.push(&p); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return im.fatal(0, jsonErr(err))
	}
	return nil
}

func (jr *jsonRows) element(p *pending, raw []byte) {
	v := bytes.TrimLeft(raw, " \t\r\n")
	if len(v) == 0 {
		p.reason = "empty element"
		return
	}
	switch v[0] {
	case '[':
		jr.arrayRow(p, v)
	case '{':
		jr.objectRow(p, v)
	default:
		p.reason = "element is not an array or object"
	}
}

// arrayRow maps [time, open, high, low, close, volume, ...] (freqtrade's
// order, or Options.Columns) by position.
func (jr *jsonRows) arrayRow(p *pending, v []byte) {
	im := jr.im
	if !jr.haveArr {
		names := stdColumns
		if len(im.opt.Columns) > 0 {
			names = im.opt.Columns
		}
		l, err := layoutFromNames(names, "", "")
		if err != nil {
			p.reason = err.Error()
			return
		}
		jr.arrLay, jr.haveArr = l, true
		im.sum.Columns = l.names
	}
	fields, ok := splitJSONArray(v, jr.fields[:0])
	jr.fields = fields
	if !ok {
		p.reason = "array element holds a nested value"
		return
	}
	g := &jr.arrLay.groups[0]
	var vals [numRoles][]byte
	for r := role(1); r < numRoles; r++ {
		if i := g.idx[r]; i >= 0 {
			if i < len(fields) {
				vals[r] = fields[i]
			} else {
				p.reason = fmt.Sprintf("missing column %s: array has %d values", r, len(fields))
				return
			}
		}
	}
	im.parseRow(p, &vals, nil)
}

// splitJSONArray splits a syntactically valid JSON array of scalars into its
// values: numbers as written, strings without quotes (escapes are rare in
// bar data; a string with one is decoded properly), null as nil. It reports
// false when an element is an array or object.
func splitJSONArray(v []byte, out [][]byte) ([][]byte, bool) {
	i := 1 // past '['
	for {
		for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r' || v[i] == ',') {
			i++
		}
		if i >= len(v) || v[i] == ']' {
			return out, true
		}
		switch c := v[i]; {
		case c == '"':
			j := i + 1
			esc := false
			for j < len(v) && v[j] != '"' {
				if v[j] == '\\' {
					esc = true
					j++
				}
				j++
			}
			if j >= len(v) {
				return out, false
			}
			if esc {
				var s string
				if json.Unmarshal(v[i:j+1], &s) != nil {
					return out, false
				}
				out = append(out, []byte(s))
			} else {
				out = append(out, v[i+1:j])
			}
			i = j + 1
		case c == '[' || c == '{':
			return out, false
		default:
			j := i
			for j < len(v) && v[j] != ',' && v[j] != ']' && v[j] != ' ' && v[j] != '\n' && v[j] != '\t' && v[j] != '\r' {
				j++
			}
			tok := v[i:j]
			if string(tok) == "null" {
				out = append(out, tok[:0]) // present but empty: a missing value
			} else {
				out = append(out, tok)
			}
			i = j
		}
	}
}

// objectRow maps an object's keys to roles by name, like a CSV header.
func (jr *jsonRows) objectRow(p *pending, v []byte) {
	clear(jr.obj)
	if err := json.Unmarshal(v, &jr.obj); err != nil {
		p.reason = "invalid JSON object: " + err.Error()
		return
	}
	var vals [numRoles][]byte
	var names [numRoles]string
	var prio [numRoles]int
	// Visit keys in sorted order so that ties between aliases resolve the
	// same way every run.
	jr.keys = jr.keys[:0]
	for k := range jr.obj {
		jr.keys = append(jr.keys, k)
	}
	sort.Strings(jr.keys)
	for _, k := range jr.keys {
		r, ok := jr.roles[k]
		if !ok {
			a := aliases[normName(k)]
			r = a.r
			jr.roles[k], jr.prios[k] = r, a.prio
		}
		if r == roleNone {
			continue
		}
		if pr := jr.prios[k]; names[r] == "" || pr > prio[r] {
			val, ok := jsonScalar(jr.obj[k])
			if !ok {
				p.reason = fmt.Sprintf("value of %q is not a number or string", k)
				return
			}
			vals[r], names[r], prio[r] = val, k, pr
		}
	}
	jr.im.parseRow(p, &vals, &names)
}

// jsonScalar returns a value's text: a number as written, a string without
// its quotes, nil for null; false for arrays, objects and booleans.
func jsonScalar(raw json.RawMessage) ([]byte, bool) {
	v := bytes.TrimSpace(raw)
	if len(v) == 0 {
		return nil, true
	}
	switch v[0] {
	case '"':
		if bytes.IndexByte(v, '\\') < 0 {
			return v[1 : len(v)-1], true
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			return nil, false
		}
		return []byte(s), true
	case 'n':
		return nil, true
	case '[', '{', 't', 'f':
		return nil, false
	}
	return v, true
}

// runJSONL imports one JSON object per line (Candlewick's own bar JSON, or
// any object with recognisable keys). A bad line is a dead letter; the next
// line is read as usual.
func (im *importer) runJSONL(lr *lineReader) error {
	im.sum.Format = FormatJSONL
	jr := newJSONRows(im)
	for {
		line, ok := im.nextData(lr)
		if !ok {
			break
		}
		im.sum.Read++
		if err := im.tick(lr.line); err != nil {
			return err
		}
		p := pending{pos: lr.line, raw: line}
		t := trimLeft(line)
		switch {
		case lr.long:
			p.reason = fmt.Sprintf("line longer than %d bytes", maxLine)
		case t[0] != '{':
			p.reason = "line is not a JSON object"
		default:
			jr.barRow(&p, t)
		}
		if err := im.push(&p); err != nil {
			return err
		}
	}
	if err := lr.readErr(); err != nil {
		return im.fatal(lr.line, err)
	}
	return nil
}

// barRow decodes a Candlewick bar (events.DecodeBarJSON, unknown members
// skipped). An object lacking the bar's required members is read like any
// other bar object instead (keys by name, as in a CSV header), so JSONL
// exports of other tools import too.
func (jr *jsonRows) barRow(p *pending, line []byte) {
	b, err := events.DecodeBarJSON(line, false)
	if err != nil {
		if errors.Is(err, events.ErrMissingField) {
			jr.objectRow(p, line)
			return
		}
		p.reason = strings.TrimPrefix(err.Error(), "events: ")
		return
	}
	p.bar, p.full = b, true
	p.t, p.iv, p.venue = b.OpenTime, b.Interval, b.Venue
	p.sym = NormalizeSymbol(b.Symbol)
	if d := b.CloseTime.Sub(b.OpenTime); d > 0 {
		p.hint = events.Interval(d)
	}
}
