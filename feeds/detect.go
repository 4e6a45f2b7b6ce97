package feeds

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf8"
)

var gzipMagic = []byte{0x1f, 0x8b}

// Detect returns the format of a file from its name and its first bytes
// (a few KiB are plenty). Gzip content is recognised by its magic bytes and
// looked into. It returns ErrEmpty for blank content and ErrUnknownFormat
// when nothing fits. Headerless 7-column CSV is reported as
// FormatNinjabotCSV; [Import] still checks that guess against the rows.
func Detect(name string, head []byte) (Format, error) {
	if bytes.HasPrefix(head, gzipMagic) {
		zr, err := gzip.NewReader(bytes.NewReader(head))
		if err != nil {
			return "", fmt.Errorf("%w: bad gzip header: %w", ErrUnknownFormat, err)
		}
		// The head ends mid-stream; keep whatever decompressed.
		inner, _ := io.ReadAll(io.LimitReader(zr, 64<<10))
		head = inner
	}
	return detectContent(name, head)
}

func detectContent(name string, head []byte) (Format, error) {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) == 0 {
		return "", ErrEmpty
	}
	if looksBinary(t) {
		return "", fmt.Errorf("%w: binary content", ErrUnknownFormat)
	}
	ext := strings.ToLower(path.Ext(strings.TrimSuffix(strings.ToLower(name), ".gz")))
	switch t[0] {
	case '[':
		u := bytes.TrimLeft(t[1:], " \t\r\n")
		switch {
		case len(u) == 0, u[0] == '[', u[0] == ']':
			return FormatFreqtradeJSON, nil
		case u[0] == '{':
			return FormatCandlesJSON, nil
		}
		return "", fmt.Errorf("%w: JSON array of scalars", ErrUnknownFormat)
	case '{':
		first := t
		if i := bytes.IndexByte(t, '\n'); i >= 0 {
			first = t[:i]
		}
		first = bytes.TrimSpace(first)
		if json.Valid(first) {
			var top map[string]json.RawMessage
			if json.Unmarshal(first, &top) == nil {
				for k := range top {
					switch normName(k) {
					case "ohlc":
						return FormatOHLCJSON, nil
					case "candles":
						return FormatCandlesJSON, nil
					}
				}
			}
			// One object on the first line: JSONL, unless the name says
			// .json and no second object line follows (a minified document).
			rest := bytes.TrimLeft(t[len(first):], " \t\r\n")
			if ext == ".json" && (len(rest) == 0 || rest[0] != '{') {
				return FormatCandlesJSON, nil
			}
			return FormatJSONL, nil
		}
		if ext == ".jsonl" || ext == ".ndjson" {
			return FormatJSONL, nil
		}
		if bytes.Contains(t, []byte(`"ohlc"`)) {
			return FormatOHLCJSON, nil
		}
		return FormatCandlesJSON, nil
	}
	return detectCSV(t)
}

// looksBinary: NUL bytes or invalid UTF-8 early on (allowing a code point
// cut at the end of the head).
func looksBinary(b []byte) bool {
	if len(b) > 4096 {
		b = b[:4096]
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return true
	}
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			return len(b) >= utf8.UTFMax
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
			return true
		}
		b = b[n:]
	}
	return false
}

func detectCSV(head []byte) (Format, error) {
	lines := bytes.Split(head, []byte{'\n'})
	if len(lines) > 1 {
		lines = lines[:len(lines)-1] // the last may be cut short
	}
	var fields [][]byte
	var scratch []byte
	seen := 0
	for _, line := range lines {
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if isComment(line) {
			continue
		}
		seen++
		comma := pickComma(line)
		scratch = scratch[:0]
		fields = splitCSV(line, comma, fields, &scratch)
		if numericFields(fields) > 0 {
			switch {
			case len(fields) == 12:
				return FormatBinanceCSV, nil
			case len(fields) == 7:
				return FormatNinjabotCSV, nil
			case len(fields) >= 5:
				return FormatCSV, nil
			}
			return "", fmt.Errorf("%w: %d columns without a header", ErrUnknownFormat, len(fields))
		}
		l, err := layoutFromNames(toStrings(fields), "", "")
		if err == nil {
			switch {
			case l.time >= 0:
				return FormatWideCSV, nil
			case len(fields) == 12 && l.groups[0].idx[roleEnd] >= 0:
				return FormatBinanceCSV, nil
			}
			return FormatCSV, nil
		}
		if knownNames(toStrings(fields)) >= 2 {
			return FormatCSV, nil // an incomplete header; Import says what is missing
		}
		if seen >= maxHeaderLines {
			break
		}
	}
	return "", fmt.Errorf("%w: no header or bar rows found", ErrUnknownFormat)
}
