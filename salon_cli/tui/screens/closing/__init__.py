"""The close of the day on screen: the drawer count, the close and the Z-report."""
