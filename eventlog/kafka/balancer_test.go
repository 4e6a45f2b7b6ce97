package kafka_test

import (
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/candlewick-labs/candlewick/eventlog/kafka"
)

// TestMurmur2MatchesJava checks Murmur2Partition against franz-go's
// key partitioner, an independent implementation of the Java client's
// default (murmur2(key) & 0x7fffffff % partitions).
func TestMurmur2MatchesJava(t *testing.T) {
	java := kgo.StickyKeyPartitioner(nil).ForTopic("t")
	for _, n := range []int{1, 3, 6, 12, 64} {
		for i := 0; i < 500; i++ {
			key := []byte(fmt.Sprintf("SYM%d-USDT", i))
			want := java.Partition(&kgo.Record{Key: key}, n)
			if got := kafka.Murmur2Partition(key, n); int(got) != want {
				t.Fatalf("%s over %d partitions: %d, Java partitioner %d", key, n, got, want)
			}
		}
	}
	if got := kafka.Murmur2Partition([]byte("x"), 0); got != -1 {
		t.Errorf("0 partitions: %d, want -1", got)
	}
}
