//go:build unix

package reload

import (
	"os"
	"syscall"
)

// inode returns the file's inode number, so a rename over the file is seen
// even when size and mtime happen to match.
func inode(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
