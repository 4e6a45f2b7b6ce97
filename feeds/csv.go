package feeds

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/candlewick-labs/candlewick/events"
)

// maxLine bounds one line; longer lines are rejected (their first maxLine
// bytes kept as the original) rather than buffered without limit.
const maxLine = 1 << 20

// lineReader yields lines without their line ending, numbering them from 1.
type lineReader struct {
	br   *bufio.Reader
	line int
	buf  []byte
	long bool // the last line was longer than maxLine and was cut
	err  error
}

func (lr *lineReader) next() ([]byte, bool) {
	if lr.err != nil {
		return nil, false
	}
	lr.long = false
	b, err := lr.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		lr.buf = append(lr.buf[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = lr.br.ReadSlice('\n')
			if len(lr.buf) < maxLine {
				lr.buf = append(lr.buf, b...)
			} else {
				lr.long = true
			}
		}
		if len(lr.buf) > maxLine {
			lr.buf, lr.long = lr.buf[:maxLine], true
		}
		b = lr.buf
	}
	if err != nil {
		if err != io.EOF {
			lr.err = err
			return nil, false
		}
		lr.err = io.EOF
		if len(b) == 0 {
			return nil, false
		}
	}
	lr.line++
	b = bytes.TrimSuffix(b, []byte{'\n'})
	b = bytes.TrimSuffix(b, []byte{'\r'})
	return b, true
}

// readErr is the error that stopped the reader, nil at a clean end.
func (lr *lineReader) readErr() error {
	if lr.err == io.EOF {
		return nil
	}
	return lr.err
}

// splitCSV splits one line on comma into fields that alias line (or, for
// quoted fields with "" escapes, scratch). Fields are trimmed of blanks.
// Quoted fields may hold the separator but not a line break.
func splitCSV(line []byte, comma byte, fields [][]byte, scratch *[]byte) [][]byte {
	fields = fields[:0]
	for {
		line = trimLeft(line)
		if len(line) > 0 && line[0] == '"' {
			// Quoted field.
			var f []byte
			i := 1
			start := len(*scratch)
			esc := false
			for i < len(line) {
				if line[i] == '"' {
					if i+1 < len(line) && line[i+1] == '"' {
						if !esc {
							*scratch = append(*scratch, line[1:i]...)
							esc = true
						} else {
							*scratch = append(*scratch, line[:i]...)
						}
						*scratch = append(*scratch, '"')
						line = line[i+2:]
						i = 0
						continue
					}
					break
				}
				i++
			}
			if esc {
				*scratch = append(*scratch, line[:min(i, len(line))]...)
				f = (*scratch)[start:]
			} else {
				f = line[1:min(i, len(line))]
			}
			if i < len(line) {
				i++ // closing quote
			}
			line = line[i:]
			fields = append(fields, f)
			j := bytes.IndexByte(line, comma)
			if j < 0 {
				return fields
			}
			line = line[j+1:]
			continue
		}
		j := bytes.IndexByte(line, comma)
		if j < 0 {
			return append(fields, trimBytes(line))
		}
		fields = append(fields, trimBytes(line[:j]))
		line = line[j+1:]
	}
}

func trimLeft(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// nextData returns the next line of lr that is not blank or a comment,
// counting the ones it skips in the summary.
func (im *importer) nextData(lr *lineReader) ([]byte, bool) {
	for {
		line, ok := lr.next()
		if !ok || !isComment(line) {
			return line, ok
		}
		im.sum.Comments++
	}
}

func isComment(line []byte) bool {
	t := trimLeft(line)
	return len(t) == 0 || t[0] == '#' || bytes.HasPrefix(t, []byte("//"))
}

// numericFields counts fields that parse as a number or a time.
func numericFields(fields [][]byte) int {
	n := 0
	for _, f := range fields {
		if len(f) == 0 {
			continue
		}
		if _, err := events.ParseFixed(bstr(f)); err == nil {
			n++
		} else if _, err := parseTime(f, UnitAuto); err == nil {
			n++
		}
	}
	return n
}

func pickComma(line []byte) byte {
	if bytes.IndexByte(line, ',') >= 0 {
		return ','
	}
	if bytes.IndexByte(line, '\t') >= 0 {
		return '\t'
	}
	if bytes.IndexByte(line, ';') >= 0 {
		return ';'
	}
	return ','
}

func toStrings(fields [][]byte) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = string(f)
	}
	return out
}

// maxHeaderLines is how many leading lines may be free-text comments (the
// CryptoDataDownload banner) before the header or the first data row.
const maxHeaderLines = 5

// runCSV imports every CSV flavour. The first line that is neither blank nor a
// comment decides: a line with no numeric field is the header (or, within the
// first few lines, a banner that names no columns and is skipped); a line with
// numbers means the file has no header.
func (im *importer) runCSV(lr *lineReader, format Format, forced bool) error {
	var (
		fields  [][]byte
		scratch []byte
		comma   byte = ','
		lay     layout
		haveLay bool
	)
	base, quote := splitSymbol(im.symbol)
	// A wide file's coins share the quote currency its name gives on its own
	// ("bitstamp_(BTC,ETH,LTC)USD_d.csv" → BTC-USD, ETH-USD, LTC-USD).
	wideQuote := im.nameIn.Quote
	var first []byte
	firstPos := 0
	for first == nil {
		line, ok := im.nextData(lr)
		if !ok {
			if err := lr.readErr(); err != nil {
				return im.fatal(lr.line, err)
			}
			return nil // nothing but comments: no rows
		}
		comma = pickComma(line)
		scratch = scratch[:0]
		fields = splitCSV(line, comma, fields, &scratch)
		if numericFields(fields) > 0 {
			first, firstPos = line, lr.line
			break
		}
		names := toStrings(fields)
		if len(im.opt.Columns) > 0 {
			names = im.opt.Columns
		} else if format == FormatNinjabotCSV && forced {
			names = ninjabotColumns
		}
		l, err := layoutFromNames(names, base, quote)
		if err != nil {
			if lr.line <= maxHeaderLines && knownNames(names) < 2 {
				im.sum.Comments++
				continue
			}
			return im.fatal(lr.line, err)
		}
		lay, haveLay = l, true
		switch {
		case l.time >= 0:
			format = FormatWideCSV
		case len(fields) == 12 && l.groups[0].idx[roleEnd] >= 0 && format != FormatCSV:
			format = FormatBinanceCSV
		case format == FormatAuto || format == FormatNinjabotCSV && !forced:
			format = FormatCSV
		}
		// Keep reading: the header is not a data row.
		line, ok = im.nextData(lr)
		if !ok {
			im.sum.Format, im.sum.Columns = format, lay.names
			if err := lr.readErr(); err != nil {
				return im.fatal(lr.line, err)
			}
			return nil
		}
		first, firstPos = line, lr.line
	}

	// Probe rows kept aside when the column order must be inferred.
	type held struct {
		line []byte
		pos  int
	}
	var probe []held
	probe = append(probe, held{bytes.Clone(first), firstPos})
	if !haveLay {
		scratch = scratch[:0]
		fields = splitCSV(first, comma, fields, &scratch)
		n := len(fields)
		var names []string
		switch {
		case len(im.opt.Columns) > 0:
			names = im.opt.Columns
		case format == FormatNinjabotCSV && forced:
			names = ninjabotColumns
		case format == FormatBinanceCSV || format == FormatAuto && n == 12:
			names = binanceColumns
			format = FormatBinanceCSV
		default:
			// Headerless with an unknown order: read a few rows, then choose
			// between the usual time,open,high,low,close,volume and
			// ninjabot's time,open,close,low,high,volume,trades by which
			// order makes more rows consistent (low ≤ open, close ≤ high).
			// Under the wrong order most real bars have high below low or
			// below close, so real data decides clearly; a tie (flat bars)
			// goes to ninjabot for 7 columns and to the usual order else.
			for len(probe) < 64 {
				line, ok := im.nextData(lr)
				if !ok {
					break
				}
				probe = append(probe, held{bytes.Clone(line), lr.line})
			}
			std, nb := 0, 0
			for _, h := range probe {
				scratch = scratch[:0]
				fields = splitCSV(h.line, comma, fields, &scratch)
				if consistent(fields, 1, 2, 3, 4) {
					std++
				}
				if consistent(fields, 1, 4, 3, 2) {
					nb++
				}
			}
			if nb > std || nb == std && n == 7 {
				names, format = ninjabotColumns, FormatNinjabotCSV
			} else {
				names = stdColumns
				if format != FormatWideCSV {
					format = FormatCSV
				}
			}
		}
		if len(im.opt.Columns) == 0 && n < len(names) {
			// Fewer columns than the default order (time,open,high,low,close
			// without volume): the missing tail is absent, not missing.
			names = names[:n]
		}
		l, err := layoutFromNames(names, base, quote)
		if err != nil {
			return im.fatal(firstPos, err)
		}
		lay = l
	}
	if format == FormatAuto {
		format = FormatCSV
	}
	im.sum.Format, im.sum.Columns = format, lay.names

	var vals [numRoles][]byte
	row := func(line []byte, pos int) error {
		im.sum.Read++
		if err := im.tick(pos); err != nil {
			return err
		}
		if lr.long && pos == lr.line {
			p := pending{pos: pos, raw: line, reason: fmt.Sprintf("line longer than %d bytes", maxLine)}
			return im.push(&p)
		}
		scratch = scratch[:0]
		fields = splitCSV(line, comma, fields, &scratch)
		for gi := range lay.groups {
			g := &lay.groups[gi]
			p := pending{pos: pos, raw: line}
			if g.coin != "" {
				p.sym, p.coin = im.coinSymbol(g.coin, wideQuote), true
			}
			empty := true
			for r := role(1); r < numRoles; r++ {
				vals[r] = nil
				if i := g.idx[r]; i >= 0 {
					if i < len(fields) {
						vals[r] = fields[i]
						if r >= roleOpen && r <= roleVolume && len(fields[i]) > 0 {
							empty = false
						}
					} else if p.reason == "" {
						p.reason = fmt.Sprintf("missing column %s: line has %d fields", g.names[r], len(fields))
						if g.names[r] == "" {
							p.reason = fmt.Sprintf("missing column %s: line has %d fields", r, len(fields))
						}
					}
				}
			}
			switch {
			case g.coin != "" && empty:
				p.skip = true
			case p.reason == "":
				im.parseRow(&p, &vals, &g.names)
			}
			if err := im.push(&p); err != nil {
				return err
			}
		}
		return nil
	}
	for _, h := range probe {
		if err := row(h.line, h.pos); err != nil {
			return err
		}
	}
	for {
		line, ok := im.nextData(lr)
		if !ok {
			break
		}
		if err := row(line, lr.line); err != nil {
			return err
		}
	}
	if err := lr.readErr(); err != nil {
		return im.fatal(lr.line, err)
	}
	return nil
}

// consistent reports whether fields o, h, l, c (by index) parse and form a
// consistent bar.
func consistent(fields [][]byte, o, h, l, c int) bool {
	if max(o, h, l, c) >= len(fields) {
		return false
	}
	var v [4]events.Fixed
	for i, idx := range [4]int{o, h, l, c} {
		x, err := events.ParseFixed(bstr(fields[idx]))
		if err != nil {
			return false
		}
		v[i] = x
	}
	return v[2].Cmp(v[0]) <= 0 && v[2].Cmp(v[3]) <= 0 && v[1].Cmp(v[0]) >= 0 && v[1].Cmp(v[3]) >= 0
}

// coinSymbol names a wide file's coin: COIN-QUOTE when the file name names a
// quote currency, else COIN.
func (im *importer) coinSymbol(coin, quote string) string {
	k := "coin:" + coin
	if s, ok := im.cache[k]; ok {
		return s
	}
	s := coin
	if quote != "" && quote != coin {
		s = coin + "-" + quote
	}
	im.cache[k] = s
	return s
}

// splitSymbol returns the base and quote of "BASE-QUOTE", or (s, "").
func splitSymbol(s string) (string, string) {
	if i := strings.IndexByte(s, '-'); i > 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// knownNames counts names that are column aliases: a line with two or more
// is a header (possibly an incomplete one), not a free-text banner.
func knownNames(names []string) int {
	n := 0
	for _, s := range names {
		if _, ok := aliases[normName(s)]; ok {
			n++
		}
	}
	return n
}
