"""Live, read-only evidence collection over SSH (Linux via paramiko, Cisco IOS via netmiko)."""
