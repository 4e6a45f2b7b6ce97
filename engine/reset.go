package engine

import (
	"slices"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/indicators"
	"github.com/candlewick-labs/candlewick/strategies"
)

// Reset makes c what New(cfg) would return: same configuration, no series,
// no position, zero Stats; from here on Apply gives exactly the signals a
// new Core's would. It reuses c's memory on the way: the strategy each
// instance built for validation serves its first series (as New's Core
// does), parsed indicator specs are cached, the indicators of the series
// it drops are Reset and reused by the new series that declare the same
// spec (on the same registry), and the signal memory and scratch stay. So
// a caller that runs many configurations in turn (a parameter sweep, one
// Core per worker) allocates little per configuration.
//
// Signals returned before the Reset stay valid (unless ReuseSignalMemory
// is on, see there); the memory setting itself is kept. On error (matching
// [ErrConfig], as New's) c is left as it was.
func (c *Core) Reset(cfg Config) error {
	cfg, err := resolveWith(cfg, &c.reuse)
	if err != nil {
		return err
	}
	// The indicators of the old series are reset and reused only on the
	// registry that built them (settings change what an indicator computes).
	c.reuse.spareIndicators(c.series, c.reg == cfg.Indicators)
	c.reg, c.provisional = cfg.Indicators, cfg.Provisional
	c.fpOK = false
	// Signals share the instances' strings and parameter lists, never the
	// instance structs: those can be overwritten.
	clear(c.insts)
	c.insts = c.insts[:0]
	for _, in := range cfg.Strategies {
		c.insts = append(c.insts, instance{
			name:      in.Name,
			version:   in.Def.Version,
			hash:      in.Params.Hash(),
			params:    slices.Clip(in.Params.List()),
			def:       in.Def,
			p:         in.Params,
			symbols:   slices.Clone(in.Symbols),
			intervals: slices.Clone(in.Intervals),
		})
	}
	// Drop the references the strategies' copy kept.
	clear(c.reuse.insts)
	clear(c.series)
	c.series = c.series[:0]
	if c.index == nil {
		c.index = map[seriesKey]int{}
	}
	clear(c.index)
	c.guess = 0
	c.pos, c.hasPos = events.Position{}, false
	c.applies = 0
	c.stats = Stats{}
	if c.transient {
		c.arena.rewind()
	}
	return nil
}

// ReuseSignalMemory sets whether the Indicators and IDs of the signals
// Apply returns get memory of their own (off, the default: they stay
// valid for as long as the caller keeps them) or share memory that the
// next Apply (or Reset) overwrites (on). With it on, emitting a signal
// allocates nothing at all: for a caller that consumes each call's
// signals before the next (counts them, hashes their encoding, copies
// what it keeps), as a parameter sweep's runs do. The signals' values are
// the same either way. Everything else in a signal (strings, Params) is
// unaffected.
func (c *Core) ReuseSignalMemory(on bool) {
	c.transient = on
	c.arena.chunk, c.arena.rewound = arenaChunk, on
	if on {
		// A block serves one Apply's signals: a few.
		c.arena.chunk = transientChunk
		c.arena.rewind()
	}
}

// transientChunk is the block size of transient signal memory: a block is
// rewound for every Apply, and rarely does one bar cause more signals
// (a bigger block is made when it does).
const transientChunk = 16

// rewind makes the whole current block available again (transient signal
// memory: the pieces handed out before are not used any more).
func (a *signalArena) rewind() { a.nVals, a.nPar, a.nIDs = 0, 0, 0 }

// configFP returns the configuration fingerprint, computed on first use:
// only snapshots need it.
func (c *Core) configFP() [32]byte {
	if !c.fpOK {
		c.fingerprint = c.configFingerprint()
		c.fpOK = true
	}
	return c.fingerprint
}

// reuse is what a Core keeps from one configuration to the next (see
// [Core.Reset]): caches and spare objects, none of which decides a signal.
type reuse struct {
	// reg is the registry specs and spares belong to.
	reg   *indicators.Registry
	specs map[string]parsedSpec // by spec text, on reg

	// built[i] is the strategy resolve built for instance i to check it:
	// a fresh strategy, which the first series of the instance takes
	// instead of building another (nil when taken or failed).
	built []strategies.Strategy
	// insts and seen are resolve's scratch.
	insts []Instance
	seen  map[string]bool

	// spares are the indicators of the dropped series, Reset before reuse;
	// spareHead chains them by name (index of the first, then next).
	spares    []spareInd
	spareHead map[string]int
	// idStates are the signal ID midstate buffers of the dropped series'
	// views (see idPrefix).
	idStates [][]byte
}

// idState returns a buffer for an ID midstate: a spare, or a new one.
func (u *reuse) idState() []byte {
	if n := len(u.idStates); n > 0 {
		b := u.idStates[n-1]
		u.idStates[n-1] = nil
		u.idStates = u.idStates[:n-1]
		return b[:0]
	}
	return make([]byte, 0, 128)
}

// parsedSpec is a parsed indicator spec and its normalised name.
type parsedSpec struct {
	spec indicators.Spec
	name string
}

type spareInd struct {
	ind  indicators.Indicator
	next int // index of the next spare of the same name, or -1
}

// maxSpecCache bounds the spec cache of a Core whose configurations
// declare ever new specs (a sweep over thousands of periods).
const maxSpecCache = 4096

// useRegistry drops the caches of another registry.
func (u *reuse) useRegistry(reg *indicators.Registry) {
	if u.reg == reg {
		return
	}
	u.reg = reg
	clear(u.specs)
	u.dropSpares()
}

// parse is reg.Parse(text) and the spec's Name, cached when u is not nil
// and on u's registry. Errors are not cached.
func (u *reuse) parse(reg *indicators.Registry, text string) (parsedSpec, error) {
	if u != nil && u.reg == reg {
		if p, ok := u.specs[text]; ok {
			return p, nil
		}
	}
	spec, err := reg.Parse(text)
	if err != nil {
		return parsedSpec{}, err
	}
	p := parsedSpec{spec: spec, name: spec.Name()}
	if u != nil && u.reg == reg {
		if u.specs == nil || len(u.specs) >= maxSpecCache {
			u.specs = make(map[string]parsedSpec)
		}
		u.specs[text] = p
	}
	return p, nil
}

// takeBuilt returns the strategy resolve built for instance i, once.
func (u *reuse) takeBuilt(i int) strategies.Strategy {
	if i >= len(u.built) {
		return nil
	}
	st := u.built[i]
	u.built[i] = nil
	return st
}

func (u *reuse) dropSpares() {
	clear(u.spares)
	u.spares = u.spares[:0]
	clear(u.spareHead)
}

// spareIndicators makes the indicators of old the spares (and drops the
// previous ones, so that spares never outnumber one configuration's
// indicators; none when keep is false), and their views' ID midstate
// buffers.
func (u *reuse) spareIndicators(old []*series, keep bool) {
	u.dropSpares()
	// The ID buffers not taken since the last Reset go: the spares never
	// outnumber one configuration's views.
	clear(u.idStates)
	u.idStates = u.idStates[:0]
	for _, s := range old {
		for _, f := range s.frames {
			for j := range f.views {
				if st := f.views[j].idp.state; st != nil {
					u.idStates = append(u.idStates, st)
				}
			}
		}
	}
	if !keep {
		return
	}
	for _, s := range old {
		for _, f := range s.frames {
			for _, is := range f.inds {
				if u.spareHead == nil {
					u.spareHead = make(map[string]int)
				}
				next, ok := u.spareHead[is.name]
				if !ok {
					next = -1
				}
				u.spareHead[is.name] = len(u.spares)
				u.spares = append(u.spares, spareInd{ind: is.ind, next: next})
			}
		}
	}
}

// indicator returns a spare indicator named name, reset to its freshly
// built state, or builds spec.
func (u *reuse) indicator(reg *indicators.Registry, spec indicators.Spec, name string) (indicators.Indicator, error) {
	if u.reg == reg {
		if i, ok := u.spareHead[name]; ok {
			sp := &u.spares[i]
			if sp.next < 0 {
				delete(u.spareHead, name)
			} else {
				u.spareHead[name] = sp.next
			}
			ind := sp.ind
			sp.ind = nil
			ind.Reset()
			return ind, nil
		}
	}
	return reg.Build(spec)
}
