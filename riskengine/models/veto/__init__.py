"""Security Council vetoes (issue 11): who vetoes a contested draft, given the permanent
members' alignment with its target, and how many vetoes each member casts a year."""
