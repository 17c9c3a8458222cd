"""Dispute onset: will a challenger open a militarized dispute against a target?"""
