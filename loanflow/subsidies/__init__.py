"""The industry development subsidy (产业发展奖补)."""
