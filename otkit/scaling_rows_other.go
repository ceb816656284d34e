//go:build !amd64 || purego

package otkit

// Without assembly the row kernels run their Go loops (useAVX and
// useAVX512 are false).

func dotRow64x512(k, v *float64, n int, acc *[dotLanes]float64) { panic(noAssembly) }

func dotRow32x512(k *float32, v *float64, n int, acc *[dotLanes]float64) { panic(noAssembly) }

func dotRow64AVX(k, v *float64, n int, acc *[dotLanes]float64) { panic(noAssembly) }

func dotRow32AVX(k *float32, v *float64, n int, acc *[dotLanes]float64) { panic(noAssembly) }

func axpyRow64x512(c, k *float64, n int, u float64) { panic(noAssembly) }

func axpyRow32x512(c *float64, k *float32, n int, u float64) { panic(noAssembly) }

func axpyRow64AVX(c, k *float64, n int, u float64) { panic(noAssembly) }

func axpyRow32AVX(c *float64, k *float32, n int, u float64) { panic(noAssembly) }

const noAssembly = "otkit: no assembly kernels on this platform"

func toFloat32x512(dst *float32, src *float64, n int) { panic(noAssembly) }

func toFloat32AVX(dst *float32, src *float64, n int) { panic(noAssembly) }

func axpyRows64x512(c *float64, k0, k1, k2, k3 *float64, n int, u *[4]float64) { panic(noAssembly) }

func axpyRows32x512(c *float64, k0, k1, k2, k3 *float32, n int, u *[4]float64) { panic(noAssembly) }

func axpyRows64AVX(c *float64, k0, k1, k2, k3 *float64, n int, u *[4]float64) { panic(noAssembly) }

func axpyRows32AVX(c *float64, k0, k1, k2, k3 *float32, n int, u *[4]float64) { panic(noAssembly) }
