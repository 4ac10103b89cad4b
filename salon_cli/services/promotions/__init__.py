"""Promotions: codes and automatic offers, their rules, their use at checkout and their report."""
