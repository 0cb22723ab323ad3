// The GOOS=js build: registers pssEvaluate(json) on globalThis.

//go:build js

package main

import "syscall/js"

func main() {
	js.Global().Set("pssEvaluate", js.FuncOf(func(this js.Value, args []js.Value) any {
		return string(evaluate([]byte(args[0].String())))
	}))
	select {}
}
