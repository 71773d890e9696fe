"""Fakes for the vendors this machine cannot reach, speaking their real wire formats."""
