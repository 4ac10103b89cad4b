"""The dashboard's widgets, one per idea (`BookGrid`, `ClientPicker`, `ServicePicker`, `StaffPicker`,
`WhenInput`, `SlotPicker`); screens compose them. Pickers are an `Input` and an `OptionList`, with a
service doing the matching."""
