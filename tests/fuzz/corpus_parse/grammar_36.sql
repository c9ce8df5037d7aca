DEFINE env = 'prod';
