package migrate_test

import (
	"testing"
	"testing/fstest"

	"github.com/glowcloud/glowcloud/internal/migrate"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	for _, tt := range []struct {
		name    string
		fsys    fstest.MapFS
		want    []int
		wantErr bool
	}{
		{"in order", fstest.MapFS{"0002_b.sql": file("B"), "0001_a.sql": file("A"), "README": file("x")}, []int{1, 2}, false},
		{"gap", fstest.MapFS{"0001_a.sql": file("A"), "0003_c.sql": file("C")}, nil, true},
		{"repeat", fstest.MapFS{"0001_a.sql": file("A"), "0001_b.sql": file("B")}, nil, true},
		{"not from one", fstest.MapFS{"0002_a.sql": file("A")}, nil, true},
		{"bad name", fstest.MapFS{"1_a.sql": file("A")}, nil, true},
		{"no number", fstest.MapFS{"init.sql": file("A")}, nil, true},
		{"empty", fstest.MapFS{}, nil, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ms, err := migrate.Load(tt.fsys, ".")
			if (err != nil) != tt.wantErr {
				t.Fatalf("Load: err = %v, want error %v", err, tt.wantErr)
			}
			if len(ms) != len(tt.want) {
				t.Fatalf("Load = %d migrations, want %d", len(ms), len(tt.want))
			}
			for i, m := range ms {
				if m.Version != tt.want[i] {
					t.Errorf("migration %d: version %d, want %d", i, m.Version, tt.want[i])
				}
			}
		})
	}
}
