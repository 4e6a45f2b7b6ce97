package indicators

// intParamA is a TA-Lib integer parameter with range min..100000.
func intParamA(name string, def, min float64) ParamDef {
	return ParamDef{Name: name, Kind: ParamInt, Default: def, Min: min, Max: 100000}
}

// realParamA is a TA-Lib real parameter with TA-Lib's full real range.
func realParamA(name string, def float64) ParamDef {
	return ParamDef{Name: name, Kind: ParamFloat, Default: def, Min: taRealMin, Max: taRealMax}
}

// maParamA is a moving-average type parameter; trailing ones are Optional so
// that "bbands(20,2,2)" means sma. MAMA (7) is the mama line of
// MAMA(0.5,0.05), the period ignored, as in TA-Lib's TA_MA.
func maParamA(name string, optional bool) ParamDef {
	return ParamDef{Name: name, Kind: ParamMAType, Default: float64(MASMA), Min: 0, Max: float64(MAT3), Optional: optional}
}

// periodDefA is a Def for a single-period, single-input, single-output
// indicator.
func periodDefA(name, title string, def, min float64, mk func(period int, src Source, set Settings) (Indicator, error)) Def {
	return Def{Name: name, Title: title, Inputs: "value", HasSource: true,
		Params:  []ParamDef{intParamA("timeperiod", def, min)},
		Outputs: outputsValue,
		New: func(p []float64, src Source, set Settings) (Indicator, error) {
			return mk(int(p[0]), src, set)
		}}
}

// indA adapts a constructor's concrete result to (Indicator, error) without
// producing a non-nil interface holding a nil pointer.
func indA[T Indicator](x T, err error) (Indicator, error) {
	if err != nil {
		return nil, err
	}
	return x, nil
}

// defsA lists the moving-average family, momentum oscillators and statistics.
// Defaults and ranges are TA-Lib's (ta_func.xml).
func defsA() []Def {
	defs := []Def{
		periodDefA("sma", "Simple Moving Average", 30, 2, func(n int, src Source, _ Settings) (Indicator, error) {
			return indA(NewSMA(n, src))
		}),
		periodDefA("ema", "Exponential Moving Average", 30, 2, func(n int, src Source, set Settings) (Indicator, error) {
			return indA(NewEMA(n, src, set))
		}),
		periodDefA("wma", "Weighted Moving Average", 30, 2, func(n int, src Source, _ Settings) (Indicator, error) {
			return indA(NewWMA(n, src))
		}),
		periodDefA("dema", "Double Exponential Moving Average", 30, 2, func(n int, src Source, set Settings) (Indicator, error) {
			return indA(NewDEMA(n, src, set))
		}),
		periodDefA("tema", "Triple Exponential Moving Average", 30, 2, func(n int, src Source, set Settings) (Indicator, error) {
			return indA(NewTEMA(n, src, set))
		}),
		periodDefA("trima", "Triangular Moving Average", 30, 2, func(n int, src Source, _ Settings) (Indicator, error) {
			return indA(NewTRIMA(n, src))
		}),
		periodDefA("kama", "Kaufman Adaptive Moving Average", 30, 2, func(n int, src Source, set Settings) (Indicator, error) {
			return indA(NewKAMA(n, src, set))
		}),
		{Name: "t3", Title: "Triple Exponential Moving Average (T3)", Inputs: "value", HasSource: true,
			Params: []ParamDef{intParamA("timeperiod", 5, 2),
				{Name: "vfactor", Kind: ParamFloat, Default: 0.7, Min: 0, Max: 1}},
			Outputs: outputsValue,
			New: func(p []float64, src Source, set Settings) (Indicator, error) {
				return indA(NewT3(int(p[0]), p[1], src, set))
			}},
		{Name: "mama", Title: "MESA Adaptive Moving Average", Inputs: "value", HasSource: true,
			Params: []ParamDef{{Name: "fastlimit", Kind: ParamFloat, Default: 0.5, Min: 0.01, Max: 0.99},
				{Name: "slowlimit", Kind: ParamFloat, Default: 0.05, Min: 0.01, Max: 0.99}},
			Outputs: outputsMAMA,
			New: func(p []float64, src Source, set Settings) (Indicator, error) {
				return indA(NewMAMA(p[0], p[1], src, set))
			}},
		{Name: "macd", Title: "Moving Average Convergence/Divergence", Inputs: "value", HasSource: true,
			Params: []ParamDef{intParamA("fastperiod", 12, 2), intParamA("slowperiod", 26, 2),
				intParamA("signalperiod", 9, 1)},
			Outputs: outputsMACD,
			New: func(p []float64, src Source, set Settings) (Indicator, error) {
				return indA(NewMACD(int(p[0]), int(p[1]), int(p[2]), src, set))
			}},
		{Name: "macdext", Title: "MACD with controllable MA type", Inputs: "value", HasSource: true,
			Params: []ParamDef{intParamA("fastperiod", 12, 2), maParamA("fastmatype", false),
				intParamA("slowperiod", 26, 2), maParamA("slowmatype", false),
				intParamA("signalperiod", 9, 1), maParamA("signalmatype", false)},
			Outputs: outputsMACD,
			New: func(p []float64, src Source, set Settings) (Indicator, error) {
				return indA(NewMACDExt(int(p[0]), MAType(p[1]), int(p[2]), MAType(p[3]), int(p[4]), MAType(p[5]), src, set))
			}},
		{Name: "macdfix", Title: "Moving Average Convergence/Divergence Fix 12/26", Inputs: "value", HasSource: true,
			Params:  []ParamDef{intParamA("signalperiod", 9, 1)},
			Outputs: outputsMACD,
			New: func(p []float64, src Source, set Settings) (Indicator, error) {
				return indA(NewMACDFix(int(p[0]), src, set))
			}},
		{Name: "apo", Title: "Absolute Price Oscillator", Inputs: "value", HasSource: true,
			Params:  []ParamDef{intParamA("fastperiod", 12, 2), intParamA("slowperiod", 26, 2), maParamA("matype", true)},
			Outputs: outputsValue,
			New: func(p []float64, src Source, set Settings) (Indicator, error) {
				return indA(NewAPO(int(p[0]), int(p[1]), MAType(p[2]), src, set))
			}},
		{Name: "ppo", Title: "Percentage Price Oscillator", Inputs: "value", HasSource: true,
			Params:  []ParamDef{intParamA("fastperiod", 12, 2), intParamA("slowperiod", 26, 2), maParamA("matype", true)},
			Outputs: outputsValue,
			New: func(p []float64, src Source, set Settings) (Indicator, error) {
				return indA(NewPPO(int(p[0]), int(p[1]), MAType(p[2]), src, set))
			}},
		periodDefA("rsi", "Relative Strength Index", 14, 2, func(n int, src Source, set Settings) (Indicator, error) {
			return indA(NewRSI(n, src, set))
		}),
		periodDefA("cmo", "Chande Momentum Oscillator", 14, 2, func(n int, src Source, set Settings) (Indicator, error) {
			return indA(NewCMO(n, src, set))
		}),
		periodDefA("mom", "Momentum", 10, 1, func(n int, src Source, _ Settings) (Indicator, error) {
			return indA(NewMOM(n, src))
		}),
		periodDefA("roc", "Rate of change : ((price/prevPrice)-1)*100", 10, 1, func(n int, src Source, _ Settings) (Indicator, error) {
			return indA(NewROC(n, src))
		}),
		periodDefA("rocp", "Rate of change Percentage: (price-prevPrice)/prevPrice", 10, 1, func(n int, src Source, _ Settings) (Indicator, error) {
			return indA(NewROCP(n, src))
		}),
		periodDefA("rocr", "Rate of change ratio: (price/prevPrice)", 10, 1, func(n int, src Source, _ Settings) (Indicator, error) {
			return indA(NewROCR(n, src))
		}),
		periodDefA("rocr100", "Rate of change ratio 100 scale: (price/prevPrice)*100", 10, 1, func(n int, src Source, _ Settings) (Indicator, error) {
			return indA(NewROCR100(n, src))
		}),
		periodDefA("trix", "1-day Rate-Of-Change (ROC) of a Triple Smooth EMA", 30, 1, func(n int, src Source, set Settings) (Indicator, error) {
			return indA(NewTRIX(n, src, set))
		}),
		{Name: "stddev", Title: "Standard Deviation", Inputs: "value", HasSource: true,
			Params:  []ParamDef{intParamA("timeperiod", 5, 2), realParamA("nbdev", 1)},
			Outputs: outputsValue,
			New: func(p []float64, src Source, _ Settings) (Indicator, error) {
				return indA(NewSTDDEV(int(p[0]), p[1], src))
			}},
		{Name: "var", Title: "Variance", Inputs: "value", HasSource: true,
			Params: []ParamDef{intParamA("timeperiod", 5, 1),
				{Name: "nbdev", Kind: ParamFloat, Default: 1, Min: taRealMin, Max: taRealMax, Optional: true}},
			Outputs: outputsValue,
			New: func(p []float64, src Source, _ Settings) (Indicator, error) {
				return indA(NewVAR(int(p[0]), p[1], src))
			}},
		{Name: "bbands", Title: "Bollinger Bands", Inputs: "value", HasSource: true,
			Params: []ParamDef{intParamA("timeperiod", 5, 2), realParamA("nbdevup", 2), realParamA("nbdevdn", 2),
				maParamA("matype", true)},
			Outputs: outputsBBands,
			New: func(p []float64, src Source, set Settings) (Indicator, error) {
				return indA(NewBBands(int(p[0]), p[1], p[2], MAType(p[3]), src, set))
			}},
		periodDefA("linearreg", "Linear Regression", 14, 2, func(n int, src Source, _ Settings) (Indicator, error) {
			return indA(NewLinearReg(n, src))
		}),
		periodDefA("linearreg_slope", "Linear Regression Slope", 14, 2, func(n int, src Source, _ Settings) (Indicator, error) {
			return indA(NewLinearRegSlope(n, src))
		}),
		periodDefA("linearreg_intercept", "Linear Regression Intercept", 14, 2, func(n int, src Source, _ Settings) (Indicator, error) {
			return indA(NewLinearRegIntercept(n, src))
		}),
		periodDefA("linearreg_angle", "Linear Regression Angle", 14, 2, func(n int, src Source, _ Settings) (Indicator, error) {
			return indA(NewLinearRegAngle(n, src))
		}),
		periodDefA("tsf", "Time Series Forecast", 14, 2, func(n int, src Source, _ Settings) (Indicator, error) {
			return indA(NewTSF(n, src))
		}),
		{Name: "stochrsi", Title: "Stochastic Relative Strength Index", Inputs: "value", HasSource: true,
			Params: []ParamDef{intParamA("timeperiod", 14, 2), intParamA("fastk_period", 5, 1),
				intParamA("fastd_period", 3, 1), maParamA("fastd_matype", true)},
			Outputs: outputsStochRSI,
			New: func(p []float64, src Source, set Settings) (Indicator, error) {
				return indA(NewStochRSI(int(p[0]), int(p[1]), int(p[2]), MAType(p[3]), src, set))
			}},
	}
	for i := range defs {
		defs[i].New = withDefaultsA(defs[i].Params, defs[i].New)
	}
	return defs
}

// withDefaultsA makes a constructor safe for a caller that passes fewer
// parameters than the Def lists: missing trailing ones take their defaults.
func withDefaultsA(pd []ParamDef, mk func([]float64, Source, Settings) (Indicator, error)) func([]float64, Source, Settings) (Indicator, error) {
	return func(p []float64, src Source, set Settings) (Indicator, error) {
		if len(p) < len(pd) {
			full := make([]float64, len(pd))
			copy(full, p)
			for i := len(p); i < len(pd); i++ {
				full[i] = pd[i].Default
			}
			p = full
		}
		return mk(p, src, set)
	}
}
