package backtest

// chunks collects values in blocks that never move, so that a long run
// does not copy (and re-copy, at append's 1.25× growth for big slices)
// every signal or trade it has gathered; all copies them once into a
// slice of exactly the right size. The zero value is empty.
type chunks[T any] struct {
	done [][]T
	cur  []T
	n    int
}

// add appends *v.
func (c *chunks[T]) add(v *T) {
	if len(c.cur) == cap(c.cur) {
		if c.cur != nil {
			c.done = append(c.done, c.cur)
		}
		c.cur = make([]T, 0, min(max(64, c.n), 1<<14))
	}
	c.cur = append(c.cur, *v)
	c.n++
}

// len is the number of values added.
func (c *chunks[T]) len() int { return c.n }

// all returns every value in order, in a new slice; nil when none.
func (c *chunks[T]) all() []T {
	if c.n == 0 {
		return nil
	}
	out := make([]T, 0, c.n)
	for _, b := range c.done {
		out = append(out, b...)
	}
	return append(out, c.cur...)
}
