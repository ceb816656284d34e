// Package host reads what the benchmark commands print next to their
// timings: the process's CPU time and peak memory, the load average, the
// CPU model and its vector extensions; and it exchanges float64 arrays
// with the Python peers as raw little-endian files.
package host

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"log"
	"math"
	"os"
	"strings"
	"syscall"
)

// CPUSeconds is the user and system CPU time of this process (all
// threads) so far, NaN if it cannot be read.
func CPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// PeakRSS is the process's peak resident set (VmHWM), as /proc prints it.
func PeakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// LoadAvg is the 1, 5 and 15-minute load average.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// CPUModel is the first processor's model name with its family and model
// numbers and which of AVX2, FMA and AVX-512F it has.
func CPUModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	info := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			if len(info) > 0 {
				break // first processor only
			}
			continue
		}
		info[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	flags := " " + info["flags"] + " "
	var isa []string
	for _, f := range []string{"avx2", "fma", "avx512f"} {
		if strings.Contains(flags, " "+f+" ") {
			isa = append(isa, f)
		}
	}
	return fmt.Sprintf("%s (family %s, model %s; %s)", info["model name"], info["cpu family"], info["model"], strings.Join(isa, ", "))
}

// WriteF64 writes v to path as little-endian float64s; it exits on error.
func WriteF64(path string, v []float64) {
	buf := make([]byte, 8*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(f))
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		log.Fatal(err)
	}
}

// ReadF64 reads n little-endian float64s from path; it exits on error or
// a file of another length.
func ReadF64(path string, n int) []float64 {
	buf, err := os.ReadFile(path)
	if err != nil || len(buf) != 8*n {
		log.Fatalf("reading %s: %v (%d bytes)", path, err, len(buf))
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(buf[8*i:]))
	}
	return v
}
