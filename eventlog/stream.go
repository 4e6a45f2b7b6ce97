package eventlog

// MaxStreamNameLen is the longest stream name accepted. It matches Kafka's
// topic-name limit so every stream can also be a topic.
const MaxStreamNameLen = 249

// ValidateStream reports whether name can name a stream, returning nil or a
// [*StreamNameError] (which matches [ErrInvalidStream]).
//
// A valid name is 1 to [MaxStreamNameLen] bytes of ASCII letters, digits,
// '.', '_' and '-' (Kafka's topic charset), is not "." or "..", does not
// contain "..", and does not start with '.' (a stream is a directory of the
// embedded log, and these rules keep it a plain, visible, single path
// element on every file system).
func ValidateStream(name string) error {
	bad := func(reason string) error { return &StreamNameError{Name: name, Reason: reason} }
	switch {
	case name == "":
		return bad("empty")
	case len(name) > MaxStreamNameLen:
		return bad("longer than 249 bytes")
	case name[0] == '.':
		return bad("starts with '.'")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
		case c == '.':
			if i+1 < len(name) && name[i+1] == '.' {
				return bad(`contains ".."`)
			}
		case c == '/' || c == '\\':
			return bad("contains a path separator")
		default:
			return bad("contains a character other than [A-Za-z0-9._-]")
		}
	}
	return nil
}
