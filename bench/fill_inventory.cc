// Placeholder: replaced by the lifecycle benchmark's inventory filler.
int main() { return 0; }
