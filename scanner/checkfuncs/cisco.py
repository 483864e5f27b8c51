"""Rule functions for Cisco IOS evidence."""
