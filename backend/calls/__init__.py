"""What the phone line needs from the backend: the care-after-the-job call's timer."""
