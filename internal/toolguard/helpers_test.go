package toolguard

import "time"

var fixedNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
