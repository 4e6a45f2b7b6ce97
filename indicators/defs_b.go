package indicators

// defsB lists the high/low/close family, volume indicators and the
// indicators beyond TA-Lib. Defaults and ranges are TA-Lib's (ta_func.xml);
// the beyond-TA-Lib ones document theirs on their types.
func defsB() []Def {
	return []Def{
		{Name: "atr", Title: "Average True Range", Inputs: "hlc",
			Params:  []ParamDef{intParamB("timeperiod", 14, 1)},
			Outputs: outputsValue,
			New: func(p []float64, _ Source, set Settings) (Indicator, error) {
				return NewATR(int(p[0]), set)
			}},
		{Name: "natr", Title: "Normalized Average True Range", Inputs: "hlc",
			Params:  []ParamDef{intParamB("timeperiod", 14, 1)},
			Outputs: outputsValue,
			New: func(p []float64, _ Source, set Settings) (Indicator, error) {
				return NewNATR(int(p[0]), set)
			}},
		{Name: "trange", Title: "True Range", Inputs: "hlc",
			Outputs: outputsValue,
			New: func([]float64, Source, Settings) (Indicator, error) {
				return NewTRange(), nil
			}},
		{Name: "adx", Title: "Average Directional Movement Index", Inputs: "hlc",
			Params:  []ParamDef{intParamB("timeperiod", 14, 2)},
			Outputs: outputsValue,
			New: func(p []float64, _ Source, set Settings) (Indicator, error) {
				return NewADX(int(p[0]), set)
			}},
		{Name: "adxr", Title: "Average Directional Movement Index Rating", Inputs: "hlc",
			Params:  []ParamDef{intParamB("timeperiod", 14, 2)},
			Outputs: outputsValue,
			New: func(p []float64, _ Source, set Settings) (Indicator, error) {
				return NewADXR(int(p[0]), set)
			}},
		{Name: "dx", Title: "Directional Movement Index", Inputs: "hlc",
			Params:  []ParamDef{intParamB("timeperiod", 14, 2)},
			Outputs: outputsValue,
			New: func(p []float64, _ Source, set Settings) (Indicator, error) {
				return NewDX(int(p[0]), set)
			}},
		{Name: "plus_di", Title: "Plus Directional Indicator", Inputs: "hlc",
			Params:  []ParamDef{intParamB("timeperiod", 14, 1)},
			Outputs: outputsValue,
			New: func(p []float64, _ Source, set Settings) (Indicator, error) {
				return NewPlusDI(int(p[0]), set)
			}},
		{Name: "minus_di", Title: "Minus Directional Indicator", Inputs: "hlc",
			Params:  []ParamDef{intParamB("timeperiod", 14, 1)},
			Outputs: outputsValue,
			New: func(p []float64, _ Source, set Settings) (Indicator, error) {
				return NewMinusDI(int(p[0]), set)
			}},
		{Name: "plus_dm", Title: "Plus Directional Movement", Inputs: "hl",
			Params:  []ParamDef{intParamB("timeperiod", 14, 1)},
			Outputs: outputsValue,
			New: func(p []float64, _ Source, set Settings) (Indicator, error) {
				return NewPlusDM(int(p[0]), set)
			}},
		{Name: "minus_dm", Title: "Minus Directional Movement", Inputs: "hl",
			Params:  []ParamDef{intParamB("timeperiod", 14, 1)},
			Outputs: outputsValue,
			New: func(p []float64, _ Source, set Settings) (Indicator, error) {
				return NewMinusDM(int(p[0]), set)
			}},
		{Name: "max", Title: "Highest value over a specified period", Inputs: "value", HasSource: true,
			Params:  []ParamDef{intParamB("timeperiod", 30, 2)},
			Outputs: outputsValue,
			New: func(p []float64, src Source, _ Settings) (Indicator, error) {
				return NewMax(int(p[0]), src)
			}},
		{Name: "min", Title: "Lowest value over a specified period", Inputs: "value", HasSource: true,
			Params:  []ParamDef{intParamB("timeperiod", 30, 2)},
			Outputs: outputsValue,
			New: func(p []float64, src Source, _ Settings) (Indicator, error) {
				return NewMin(int(p[0]), src)
			}},
		{Name: "midpoint", Title: "MidPoint over period", Inputs: "value", HasSource: true,
			Params:  []ParamDef{intParamB("timeperiod", 14, 2)},
			Outputs: outputsValue,
			New: func(p []float64, src Source, _ Settings) (Indicator, error) {
				return NewMidpoint(int(p[0]), src)
			}},
		{Name: "midprice", Title: "Midpoint Price over period", Inputs: "hl",
			Params:  []ParamDef{intParamB("timeperiod", 14, 2)},
			Outputs: outputsValue,
			New: func(p []float64, _ Source, _ Settings) (Indicator, error) {
				return NewMidprice(int(p[0]))
			}},
		{Name: "willr", Title: "Williams' %R", Inputs: "hlc",
			Params:  []ParamDef{intParamB("timeperiod", 14, 2)},
			Outputs: outputsValue,
			New: func(p []float64, _ Source, _ Settings) (Indicator, error) {
				return NewWillR(int(p[0]))
			}},
		{Name: "aroon", Title: "Aroon", Inputs: "hl",
			Params:  []ParamDef{intParamB("timeperiod", 14, 2)},
			Outputs: outputsAroon,
			New: func(p []float64, _ Source, _ Settings) (Indicator, error) {
				return NewAroon(int(p[0]))
			}},
		{Name: "aroonosc", Title: "Aroon Oscillator", Inputs: "hl",
			Params:  []ParamDef{intParamB("timeperiod", 14, 2)},
			Outputs: outputsValue,
			New: func(p []float64, _ Source, _ Settings) (Indicator, error) {
				return NewAroonOsc(int(p[0]))
			}},
		{Name: "donchian", Title: "Donchian Channels", Inputs: "hl",
			Params:  []ParamDef{intParamB("timeperiod", 20, 2)},
			Outputs: outputsChannel,
			New: func(p []float64, _ Source, _ Settings) (Indicator, error) {
				return NewDonchian(int(p[0]))
			}},
		{Name: "stoch", Title: "Stochastic", Inputs: "hlc",
			Params: []ParamDef{intParamB("fastk_period", 5, 1), intParamB("slowk_period", 3, 1),
				maParamB("slowk_matype"), intParamB("slowd_period", 3, 1), maParamB("slowd_matype")},
			Outputs: outputsStoch,
			New: func(p []float64, _ Source, set Settings) (Indicator, error) {
				return NewStoch(int(p[0]), int(p[1]), MAType(p[2]), int(p[3]), MAType(p[4]), set)
			}},
		{Name: "stochf", Title: "Stochastic Fast", Inputs: "hlc",
			Params: []ParamDef{intParamB("fastk_period", 5, 1), intParamB("fastd_period", 3, 1),
				maParamB("fastd_matype")},
			Outputs: outputsStochF,
			New: func(p []float64, _ Source, set Settings) (Indicator, error) {
				return NewStochF(int(p[0]), int(p[1]), MAType(p[2]), set)
			}},
		{Name: "cci", Title: "Commodity Channel Index", Inputs: "hlc",
			Params:  []ParamDef{intParamB("timeperiod", 14, 2)},
			Outputs: outputsValue,
			New: func(p []float64, _ Source, _ Settings) (Indicator, error) {
				return NewCCI(int(p[0]))
			}},
		{Name: "ultosc", Title: "Ultimate Oscillator", Inputs: "hlc",
			Params: []ParamDef{intParamB("timeperiod1", 7, 1), intParamB("timeperiod2", 14, 1),
				intParamB("timeperiod3", 28, 1)},
			Outputs: outputsValue,
			New: func(p []float64, _ Source, _ Settings) (Indicator, error) {
				return NewUltOsc(int(p[0]), int(p[1]), int(p[2]))
			}},
		{Name: "bop", Title: "Balance Of Power", Inputs: "ohlc",
			Outputs: outputsValue,
			New: func([]float64, Source, Settings) (Indicator, error) {
				return NewBOP(), nil
			}},
		{Name: "sar", Title: "Parabolic SAR", Inputs: "hl",
			Params: []ParamDef{
				{Name: "acceleration", Kind: ParamFloat, Default: 0.02, Min: 0, Max: 3e37},
				{Name: "maximum", Kind: ParamFloat, Default: 0.2, Min: 0, Max: 3e37}},
			Outputs: outputsValue,
			New: func(p []float64, _ Source, _ Settings) (Indicator, error) {
				return NewSAR(p[0], p[1])
			}},
		{Name: "obv", Title: "On Balance Volume", Inputs: "cv", HasSource: true,
			Outputs: outputsValue,
			New: func(_ []float64, src Source, _ Settings) (Indicator, error) {
				return NewOBV(src), nil
			}},
		{Name: "ad", Title: "Chaikin A/D Line", Inputs: "hlcv",
			Outputs: outputsValue,
			New: func([]float64, Source, Settings) (Indicator, error) {
				return NewAD(), nil
			}},
		{Name: "adosc", Title: "Chaikin A/D Oscillator", Inputs: "hlcv",
			Params:  []ParamDef{intParamB("fastperiod", 3, 2), intParamB("slowperiod", 10, 2)},
			Outputs: outputsValue,
			New: func(p []float64, _ Source, set Settings) (Indicator, error) {
				return NewADOSC(int(p[0]), int(p[1]), set)
			}},
		{Name: "mfi", Title: "Money Flow Index", Inputs: "hlcv",
			Params:  []ParamDef{intParamB("timeperiod", 14, 2)},
			Outputs: outputsValue,
			New: func(p []float64, _ Source, set Settings) (Indicator, error) {
				return NewMFI(int(p[0]), set)
			}},
		{Name: "keltner", Title: "Keltner Channels (EMA ± multiplier × ATR)", Inputs: "hlc", HasSource: true,
			Params: []ParamDef{intParamB("timeperiod", 20, 2),
				{Name: "multiplier", Kind: ParamFloat, Default: 2, Min: 0, Max: 3e37},
				intParamB("atr_period", 10, 1)},
			Outputs: outputsChannel,
			New: func(p []float64, src Source, set Settings) (Indicator, error) {
				return NewKeltner(int(p[0]), p[1], int(p[2]), src, set)
			}},
		{Name: "supertrend", Title: "SuperTrend", Inputs: "hlc",
			Params: []ParamDef{intParamB("atr_period", 10, 1),
				{Name: "multiplier", Kind: ParamFloat, Default: 3, Min: 0, Max: 3e37}},
			Outputs: outputsSuperTrend,
			New: func(p []float64, _ Source, set Settings) (Indicator, error) {
				return NewSuperTrend(int(p[0]), p[1], set)
			}},
		{Name: "vwap", Title: "Anchored Volume Weighted Average Price", Inputs: "hlcv",
			Params:  []ParamDef{{Name: "anchor", Kind: ParamInt, Default: 1440, Min: 1, Max: 5256000}},
			Outputs: outputsValue,
			New: func(p []float64, _ Source, _ Settings) (Indicator, error) {
				return NewVWAP(int(p[0]))
			}},
	}
}

// intParamB is an integer period parameter with TA-Lib's usual upper bound.
func intParamB(name string, def, min float64) ParamDef {
	return ParamDef{Name: name, Kind: ParamInt, Default: def, Min: min, Max: 100000}
}

// maParamB is a moving-average type parameter, SMA by default.
func maParamB(name string) ParamDef {
	return ParamDef{Name: name, Kind: ParamMAType, Default: 0, Min: 0, Max: float64(MAT3)}
}
