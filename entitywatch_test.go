package entitywatch

import (
	"encoding/json"
	"testing"
)

func TestCountryCode(t *testing.T) {
	tests := []struct {
		heading, want string
		ok            bool
	}{
		{"CHINA, PEOPLE'S REPUBLIC OF", "CN", true},
		{"China, People’s Republic of", "CN", true},
		{"  UNITED  ARAB EMIRATES ", "AE", true},
		{"TÜRKIYE", "TR", true},
		{"KOREA, SOUTH", "KR", true},
		{"BURMA", "MM", true},
		{"HONG KONG", "HK", true},
		{"SOUTH AFRICA", "ZA", true},
		{"NARNIA", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := CountryCode(tt.heading)
		if got != tt.want || ok != tt.ok {
			t.Errorf("CountryCode(%q) = %q, %v; want %q, %v", tt.heading, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDate_JSON(t *testing.T) {
	tests := []struct {
		d    Date
		want string
	}{
		{NewDate(2025, 3, 25), `"2025-03-25"`},
		{Date{}, `""`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.d)
		if err != nil || string(b) != tt.want {
			t.Errorf("Marshal(%v) = %s, %v; want %s", tt.d, b, err, tt.want)
		}
		var back Date
		if err := json.Unmarshal(b, &back); err != nil || !back.Equal(tt.d.Time) {
			t.Errorf("Unmarshal(%s) = %v, %v", b, back, err)
		}
	}
	var d Date
	if err := json.Unmarshal([]byte(`"25/03/2025"`), &d); err == nil {
		t.Errorf("Unmarshal of a non-ISO date succeeded: %v", d)
	}
}
