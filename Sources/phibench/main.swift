print("phibench")
