// Package parallel splits otkit's reductions over goroutines without making
// their results depend on GOMAXPROCS: independent outputs go in fixed
// chunks, each computed by one goroutine in a fixed order. It also holds
// the reusable scratch buffers of the kernels.
package parallel
