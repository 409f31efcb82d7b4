"""Pure rules of the register: members, ID numbers, the county sheet layout."""
