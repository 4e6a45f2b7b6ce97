package indicators

// deque is a fixed-capacity monotonic deque over a sliding window: the
// sliding maximum (or minimum) of the last w values in O(1) amortised time per
// value and no allocation after construction. Each entry is a value with the
// input index it came from.
//
// Ties: a new value evicts every held value that is equal to it, so among
// equal extremes the most recent index wins. That is TA-Lib's rule for
// AROON/AROONOSC (and for MAX/MIN's incremental path, `tmp >= highest`);
// TA-Lib's MAX/MIN/WILLR/STOCH rescan keeps the earliest index of a tie
// instead, but they expose only the value, and equal float64 values are
// identical bits except +0 and -0, so the choice is invisible for real
// prices. NaN inputs are outside this equivalence: TA-Lib's comparisons
// skip a NaN unless its rescan starts on one, the deque holds it until it
// leaves the window; results then differ but nothing fails.
//
// The buffer is a power of two so that positions wrap with a mask. The zero
// value is unusable; make one with newDeque.
type deque struct {
	e    []dequeEntry
	mask int
	head int // position of the front (oldest) entry
	n    int // entries held
	w    int // window length: at most w entries are ever held
	min  bool
}

type dequeEntry struct {
	idx int64
	val float64
}

// newDeque returns a deque for a window of w inputs; min selects a sliding
// minimum instead of a maximum.
func newDeque(w int, min bool) deque {
	if w < 1 {
		w = 1
	}
	size := 1
	for size < w {
		size <<= 1
	}
	return deque{e: make([]dequeEntry, size), mask: size - 1, w: w, min: min}
}

// push adds value v at input index i, after dropping entries older than
// first, the oldest index still in the window. Indices must increase.
func (d *deque) push(i int64, v float64, first int64) {
	e, mask := d.e, d.mask
	for d.n > 0 && e[d.head&mask].idx < first {
		d.head = (d.head + 1) & mask
		d.n--
	}
	// Drop held values that v equals or beats: the latest index wins ties.
	if d.min {
		for d.n > 0 && v <= e[(d.head+d.n-1)&mask].val {
			d.n--
		}
	} else {
		for d.n > 0 && v >= e[(d.head+d.n-1)&mask].val {
			d.n--
		}
	}
	if d.n >= d.w { // only when first does not shrink the window: keep the bound
		d.head = (d.head + 1) & mask
		d.n--
	}
	e[(d.head+d.n)&mask] = dequeEntry{i, v}
	d.n++
}

// front returns the extreme of the window and its index (valid when not
// empty).
func (d *deque) front() (int64, float64) {
	f := d.e[d.head&d.mask]
	return f.idx, f.val
}

// peek returns the extreme and its index that push(i, v, first) would leave
// at the front, without changing the deque. At most one entry can have
// expired since the last push (the window slides by one), so this is O(1).
func (d *deque) peek(i int64, v float64, first int64) (int64, float64) {
	k := 0
	for k < d.n && d.e[(d.head+k)&d.mask].idx < first {
		k++
	}
	if k == d.n {
		return i, v
	}
	f := d.e[(d.head+k)&d.mask]
	if (d.min && v <= f.val) || (!d.min && v >= f.val) {
		return i, v
	}
	return f.idx, f.val
}

func (d *deque) reset() { d.head, d.n = 0, 0 }

// encode appends the deque's entries, front first.
func (d *deque) encode(e *stateEncoder) {
	e.int(d.n)
	for k := 0; k < d.n; k++ {
		f := d.e[(d.head+k)&d.mask]
		e.int(int(f.idx))
		e.f64(f.val)
	}
}

// decode restores entries written by encode into a deque of the same
// window.
func (d *deque) decode(dec *stateDecoder) {
	n := dec.int()
	if n < 0 || n > d.w {
		dec.fail("deque length out of range")
		return
	}
	d.reset()
	for k := 0; k < n; k++ {
		d.e[k].idx = int64(dec.int())
		d.e[k].val = dec.f64()
	}
	d.n = n
}
