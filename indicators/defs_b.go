package indicators

// defsB lists the high/low/close family, volume indicators and the
// indicators beyond TA-Lib.
func defsB() []Def {
	return nil
}
