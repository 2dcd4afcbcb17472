package proclaim_test

import (
	"fmt"
	"time"

	"github.com/glowcloud/glowcloud/proclaim"
)

func ExampleParseEvery() {
	for _, s := range []string{"6h", "1d12h", "weekly", "30m"} {
		d, err := proclaim.ParseEvery(s, time.Hour)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(proclaim.FormatDuration(d))
	}
	// Output:
	// 6h
	// 1d12h
	// 1w
	// “30m” is shorter than 1h, the shortest interval here
}

func ExampleNextSlot() {
	// An hourly schedule due at 09:00, claimed at 14:30 after downtime: one
	// catch-up post now, and the next at 15:00.
	slot := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	now := time.Date(2026, 1, 1, 14, 30, 0, 0, time.UTC)
	fmt.Println(proclaim.NextSlot(slot, now, time.Hour).Format(time.Kitchen))
	// Output: 3:00PM
}

func ExampleCanManage() {
	fmt.Println(proclaim.CanManage("32"), proclaim.CanManage("8"), proclaim.CanManage("16"))
	// Output: true true false
}
