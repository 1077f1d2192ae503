"""The tamper-evident access ledger: who saw or changed what, and why."""
