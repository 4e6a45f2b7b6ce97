package kafka

import (
	kafkago "github.com/segmentio/kafka-go"
)

// Murmur2Partition returns the partition of a topic with partitions
// partitions that the Java client's default partitioner (and
// [kafkago.Murmur2Balancer], which the market producers use) picks for
// key. It is -1 when partitions < 1. Use it to find which engine partition
// owns a symbol.
func Murmur2Partition(key []byte, partitions int) int32 {
	if partitions < 1 {
		return -1
	}
	ps := make([]int, partitions)
	for i := range ps {
		ps[i] = i
	}
	return int32((&kafkago.Murmur2Balancer{}).Balance(kafkago.Message{Key: key}, ps...))
}
