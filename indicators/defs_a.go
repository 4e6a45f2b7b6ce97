package indicators

// defsA lists the moving-average family, momentum oscillators and statistics.
func defsA() []Def {
	return []Def{
		{Name: "sma", Title: "Simple Moving Average", Inputs: "value", HasSource: true,
			Params:  []ParamDef{{Name: "timeperiod", Kind: ParamInt, Default: 30, Min: 2, Max: 100000}},
			Outputs: outputsValue,
			New: func(p []float64, src Source, _ Settings) (Indicator, error) {
				return NewSMA(int(p[0]), src)
			}},
	}
}
