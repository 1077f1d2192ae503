"""Information governance over everything the hub holds about a person: subject access
exports (UK GDPR Art 15) and the retention job that anonymises what is past its time.

It reads the front door, linkage, the people index, sharing and the ledger, and sits beside
insight in the layers. See docs/governance.md.
"""
