"""What happens in the administration: the service catalogue, who applies for
what, working time, offices, staff, process steps and appointment holders.

Shared by the process tables (`antraege`, `vorgangsereignisse`, `termine`,
`buergeranfragen`, `ansprueche`).
"""
