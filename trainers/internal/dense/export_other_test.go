//go:build !amd64 || purego

package dense

func useAssembly(bool) (restore func()) { return func() {} }

func assemblyAvailable() bool { return false }
