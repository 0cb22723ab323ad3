// The GOOS=wasip1 reactor build (-buildmode=c-shared): pss_alloc(n) gives a
// buffer for the request, pss_evaluate(n) evaluates it and returns the length
// of the answer, pss_out() its address.

//go:build wasip1

package main

import "unsafe"

var inBuf []byte
var outBuf []byte

//go:wasmexport pss_alloc
func pssAlloc(n int32) int32 {
	inBuf = make([]byte, n)
	return int32(uintptr(unsafe.Pointer(&inBuf[0])))
}

//go:wasmexport pss_evaluate
func pssEvaluate(n int32) int32 {
	outBuf = evaluate(inBuf[:n])
	return int32(len(outBuf))
}

//go:wasmexport pss_out
func pssOut() int32 {
	return int32(uintptr(unsafe.Pointer(&outBuf[0])))
}

func main() {}
